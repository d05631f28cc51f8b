package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// registrationColumns is the one list of registration columns queries read.
const registrationColumns = `r.id, r.event_id, r.status, r.first_name, r.last_name, r.email, r.phone,
	r.country, r.organization, r.position, r.role, r.language, r.days::text[] AS days,
	r.checkin_code, r.consent_at, r.created_at, r.confirmed_at, r.cancelled_at`

type registrationRow struct {
	domain.Registration
	Days pq.StringArray `db:"days"`
}

func (r *registrationRow) registration() *domain.Registration {
	reg := r.Registration
	reg.Days = make([]domain.Date, 0, len(r.Days))
	for _, s := range r.Days {
		if d, err := domain.ParseDate(s); err == nil {
			reg.Days = append(reg.Days, d)
		}
	}
	return &reg
}

// RegisterResult says what became of a registration request. Created is
// false when the email was already registered for the event; Status is then
// what a new registration would have got, so callers can answer alike.
type RegisterResult struct {
	Registration *domain.Registration
	Created      bool
	Status       domain.Status
}

// checkinRetries bounds retries on the (astronomically rare) collision of a
// random check-in code within one event.
const checkinRetries = 5

// Register stores a new registration in one transaction. The event row is
// locked first, so seats are counted exactly even under concurrent requests,
// and the unique index on (event, lower(email)) turns a repeated email into
// "not created" instead of a second row.
func (s *Store) Register(ctx context.Context, reg *domain.Registration, hooks ...RegisterHook) (RegisterResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := s.register(ctx, reg, hooks)
		if isUniqueViolation(err, "registrations_event_id_checkin_code_key") && attempt < checkinRetries {
			code, cerr := domain.NewCheckinCode()
			if cerr != nil {
				return res, cerr
			}
			reg.CheckinCode = code
			continue
		}
		return res, err
	}
}

// RegisterHook runs inside the registration transaction after the outcome is
// known, so that work caused by it (such as queueing an email) commits or
// rolls back with it.
type RegisterHook func(ctx context.Context, tx *sqlx.Tx, res RegisterResult) error

func (s *Store) register(ctx context.Context, reg *domain.Registration, hooks []RegisterHook) (RegisterResult, error) {
	var res RegisterResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var capacity sql.NullInt64
		var held int64
		err := tx.QueryRowxContext(ctx, `
			SELECT capacity, seats_held FROM events WHERE id = $1 FOR UPDATE`, reg.EventID).Scan(&capacity, &held)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such event")
		}
		if err != nil {
			return fmt.Errorf("store: lock event: %w", unavailable(err))
		}
		res.Status = domain.StatusPending
		if capacity.Valid && held >= capacity.Int64 {
			res.Status = domain.StatusWaitlisted
		}
		reg.Status = res.Status
		err = tx.QueryRowxContext(ctx, `
			INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
				organization, position, role, language, days, checkin_code, consent_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date[], $13, $14, $15)
			ON CONFLICT (event_id, lower(email)) DO NOTHING
			RETURNING id, created_at`,
			reg.EventID, reg.Status, reg.FirstName, reg.LastName, reg.Email, reg.Phone, reg.Country,
			reg.Organization, reg.Position, reg.Role, reg.Language, pq.StringArray(domain.DateStrings(reg.Days)),
			reg.CheckinCode, reg.ConsentAt, reg.ConsentAt,
		).Scan(&reg.ID, &reg.CreatedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			existing, err := registrationByEmail(ctx, tx, reg.EventID, reg.Email)
			if err != nil {
				return err
			}
			res.Registration = existing
		case err != nil:
			return fmt.Errorf("store: insert registration: %w", unavailable(err))
		default:
			res.Created = true
			res.Registration = reg
			if reg.Status.HoldsSeat() {
				if _, err := tx.ExecContext(ctx, `
					UPDATE events SET seats_held = seats_held + 1 WHERE id = $1`, reg.EventID); err != nil {
					return fmt.Errorf("store: take seat: %w", unavailable(err))
				}
			}
		}
		for _, h := range hooks {
			if err := h(ctx, tx, res); err != nil {
				return err
			}
		}
		return nil
	})
	return res, err
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
		add(`(r.first_name || ' ' || r.last_name ILIKE ? OR r.email ILIKE ? OR r.organization ILIKE ?)`, likePattern(q))
		// The three placeholders above share one argument.
	}
	if f.Cursor != "" {
		c, err := DecodeCursor(f.Cursor)
		if err != nil {
			return page, err
		}
		args = append(args, c.CreatedAt, c.ID)
		where = append(where, fmt.Sprintf("(r.created_at, r.id) > ($%d, $%d::uuid)", len(args)-1, len(args)))
	}
	limit := f.Limit
	args = append(args, limit+1)
	query := `SELECT ` + registrationColumns + ` FROM registrations r WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(" ORDER BY r.created_at, r.id LIMIT $%d", len(args))
	var rows []registrationRow
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return page, fmt.Errorf("store: list registrations: %w", unavailable(err))
	}
	for i := range rows {
		if i == limit {
			page.NextCursor = EncodeCursor(page.Registrations[limit-1])
			break
		}
		page.Registrations = append(page.Registrations, rows[i].registration())
	}
	if page.Registrations == nil {
		page.Registrations = []*domain.Registration{}
	}
	return page, nil
}

// MarkConfirmed confirms a pending registration directly, as for walk-ins
// and demo data; confirming twice is harmless.
func (s *Store) MarkConfirmed(ctx context.Context, id string, at time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE registrations SET status = 'confirmed', confirmed_at = $2, updated_at = now()
		WHERE id = $1 AND status = 'pending'`, id, at)
	if err != nil {
		return fmt.Errorf("store: confirm registration: %w", unavailable(err))
	}
	return nil
}
