package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// registrationColumns is the one list of registration columns queries read.
const registrationColumns = `r.id, r.event_id, r.status, r.first_name, r.last_name, r.email, r.phone,
	r.country, r.organization, r.position, r.role, r.language, r.days::text[] AS days,
	r.checkin_code, r.consent_at, r.created_at, r.confirmed_at, r.cancelled_at,
	coalesce(r.delegation, r.country) AS delegation, r.latin_first_name, r.latin_last_name, r.answers, r.edited_at`

type registrationRow struct {
	domain.Registration
	Days    pq.StringArray `db:"days"`
	Answers answersJSON    `db:"answers"`
}

func (r *registrationRow) registration() *domain.Registration {
	reg := r.Registration
	reg.Days = make([]domain.Date, 0, len(r.Days))
	for _, s := range r.Days {
		if d, err := domain.ParseDate(s); err == nil {
			reg.Days = append(reg.Days, d)
		}
	}
	reg.Answers = domain.Answers(r.Answers)
	return &reg
}

func registrationByEmail(ctx context.Context, q sqlx.QueryerContext, eventID int64, email string) (*domain.Registration, error) {
	var row registrationRow
	err := sqlx.GetContext(ctx, q, &row, `
		SELECT `+registrationColumns+` FROM registrations r
		WHERE r.event_id = $1 AND lower(r.email) = lower($2)`, eventID, email)
	if err != nil {
		return nil, fmt.Errorf("store: registration by email: %w", unavailable(err))
	}
	return row.registration(), nil
}

// Registration returns one registration of an event.
func (s *Store) Registration(ctx context.Context, eventID int64, id string) (*domain.Registration, error) {
	if !domain.ValidUUID(id) {
		return nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	var row registrationRow
	err := s.db.GetContext(ctx, &row, `
		SELECT `+registrationColumns+` FROM registrations r
		WHERE r.event_id = $1 AND r.id = $2::uuid`, eventID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return nil, fmt.Errorf("store: registration: %w", unavailable(err))
	}
	return row.registration(), nil
}

// RegistrationFilter narrows an event's registration list.
type RegistrationFilter struct {
	Status  string // one status, or "" for all
	Country string // ISO code, or "" for all
	Query   string // substring of name, email or organization
	Cursor  string // opaque; from a previous page's NextCursor
	Limit   int

	// Delegation is a country's or an organization's code, or "" for all.
	Delegation string
	// Answers keeps registrations whose answer to each question key
	// includes the value (domain.Question.FilterValue gives it).
	Answers map[string]any
	// IncludeVisa adds the passport details of visa letter requests to an
	// export (EachAttendee); only an organizer's explicit ?include=visa
	// sets it, as they are personal data the lists leave out.
	IncludeVisa bool
}

// RegistrationPage is one page of a keyset-paginated list.
type RegistrationPage struct {
	Registrations []*domain.Registration
	NextCursor    string
}

type cursor struct {
	CreatedAt time.Time `json:"t"`
	ID        string    `json:"id"`
}

// EncodeCursor makes the opaque cursor that resumes after reg.
func EncodeCursor(reg *domain.Registration) string {
	b, _ := json.Marshal(cursor{CreatedAt: reg.CreatedAt, ID: reg.ID}) // a struct of a time and a string always encodes
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses a cursor; a malformed one is a validation error on "cursor".
func DecodeCursor(s string) (*cursor, error) {
	bad := domain.ValidationError([]domain.FieldError{{Field: "cursor", Code: "invalid", Message: "Cursor is not one this server issued."}})
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || !domain.ValidUUID(c.ID) || c.CreatedAt.IsZero() {
		return nil, bad
	}
	return &c, nil
}

// likePattern escapes LIKE wildcards so a search for "50%" means the text.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// Registrations lists an event's registrations in registration order, one
// page at a time. Paging is by (created_at, id), which an index serves.
func (s *Store) Registrations(ctx context.Context, eventID int64, f RegistrationFilter) (RegistrationPage, error) {
	var page RegistrationPage
	where, args := registrationWhere(eventID, f)
	if f.Cursor != "" {
		c, err := DecodeCursor(f.Cursor)
		if err != nil {
			return page, err
		}
		args = append(args, c.CreatedAt, c.ID)
		where += fmt.Sprintf(" AND (r.created_at, r.id) > ($%d, $%d::uuid)", len(args)-1, len(args))
	}
	limit := f.Limit
	if limit < 1 {
		limit = 50
	}
	args = append(args, limit+1)
	query := `SELECT ` + registrationColumns + ` FROM registrations r WHERE ` + where +
		fmt.Sprintf(" ORDER BY r.created_at, r.id LIMIT $%d", len(args))
	rows := make([]registrationRow, 0, limit+1)
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return page, fmt.Errorf("store: list registrations: %w", unavailable(err))
	}
	page.Registrations = make([]*domain.Registration, 0, min(len(rows), limit))
	for i := range rows {
		if i == limit {
			page.NextCursor = EncodeCursor(page.Registrations[limit-1])
			break
		}
		page.Registrations = append(page.Registrations, rows[i].registration())
	}
	return page, nil
}

// registrationWhere is the condition on registrations r that selects an
// event's registrations matching f's Status, Country and Query, with its
// arguments ($1 is the event).
func registrationWhere(eventID int64, f RegistrationFilter) (string, []any) {
	where := []string{"r.event_id = $1"}
	args := []any{eventID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Status != "" {
		add("r.status = ?", f.Status)
	}
	if f.Country != "" {
		add("r.country = ?", strings.ToUpper(f.Country))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		add(`(r.first_name || ' ' || r.last_name ILIKE ? OR r.email ILIKE ? OR r.organization ILIKE ?
			OR r.latin_first_name || ' ' || r.latin_last_name ILIKE ?)`, likePattern(q))
		// The four placeholders above share one argument.
	}
	if f.Delegation != "" {
		add("coalesce(r.delegation, r.country) = ?", strings.ToUpper(f.Delegation))
	}
	keys := make([]string, 0, len(f.Answers))
	for k := range f.Answers {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same filter, the same statement
	for _, k := range keys {
		cond, v := answerCondition(f.Answers[k])
		args = append(args, k, v)
		cond = strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)-1), 1)
		where = append(where, strings.Replace(cond, "?", fmt.Sprintf("$%d", len(args)), 1))
	}
	return strings.Join(where, " AND "), args
}
