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

// fields points Scan at r's fields, in registrationColumns' order.
func (r *registrationRow) fields() []any {
	return []any{&r.ID, &r.EventID, &r.Status, &r.FirstName, &r.LastName, &r.Email, &r.Phone,
		&r.Country, &r.Organization, &r.Position, &r.Role, &r.Language, &r.Days,
		&r.CheckinCode, &r.ConsentAt, &r.CreatedAt, &r.ConfirmedAt, &r.CancelledAt}
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
	// Checkin is the attendance recorded with RegisterOptions.CheckIn.
	Checkin *Checkin
}

// checkinRetries bounds retries on the (astronomically rare) collision of a
// random check-in code within one event.
const checkinRetries = 5

// RegisterOptions choose what a registration causes besides the row.
type RegisterOptions struct {
	// Notify queues the email the outcome calls for (confirm request,
	// waitlisted, or the links again for a repeated address).
	Notify bool
	// Confirmed creates the registration already confirmed (an organizer's
	// walk-in), still subject to capacity.
	Confirmed bool
	// CheckIn, when set, also records attendance (Day; zero: today) by the
	// organizer CheckedInBy in the same transaction, unless the registration
	// ends up on the waiting list.
	CheckIn     *CheckinRequest
	CheckedInBy int64
}

// Register stores a new registration in one transaction. The event row is
// locked first, so seats are counted exactly under concurrent requests, and
// the unique index on (event, lower(email)) turns a repeated address into
// "not created" instead of a second row. A cancelled or expired registration
// registered again comes back to life, at the end of any waiting list.
func (s *Store) Register(ctx context.Context, ev *domain.Event, reg *domain.Registration, opt RegisterOptions) (RegisterResult, error) {
	for attempt := 0; ; attempt++ {
		res, err := s.register(ctx, ev, reg, opt)
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

func (s *Store) register(ctx context.Context, ev *domain.Event, reg *domain.Registration, opt RegisterOptions) (RegisterResult, error) {
	if opt.Notify && opt.CheckIn == nil {
		res, done, err := s.registerNew(ctx, ev, reg, opt)
		if err != nil || done {
			return res, err
		}
		// The address is already registered (or the event is gone): the
		// general path below decides what that means.
	}
	var res RegisterResult
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var capacity sql.NullInt64
		var held int64
		err := tx.QueryRowxContext(ctx, `
			SELECT capacity, seats_held FROM events WHERE id = $1 FOR NO KEY UPDATE`, ev.ID).Scan(&capacity, &held)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such event")
		}
		if err != nil {
			return fmt.Errorf("store: lock event: %w", unavailable(err))
		}
		res.Status = domain.StatusPending
		if opt.Confirmed {
			res.Status = domain.StatusConfirmed
		}
		if capacity.Valid && held >= capacity.Int64 {
			res.Status = domain.StatusWaitlisted
		}
		reg.EventID, reg.Status = ev.ID, res.Status
		var confirmedAt *time.Time
		if reg.Status == domain.StatusConfirmed {
			confirmedAt = &reg.ConsentAt
		}
		err = tx.QueryRowxContext(ctx, `
			INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
				organization, position, role, language, days, checkin_code, consent_at, created_at,
				confirmed_at, email_verified_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date[], $13, $14, $14, $15, $15)
			ON CONFLICT (event_id, lower(email)) DO NOTHING
			RETURNING id, created_at`,
			reg.EventID, reg.Status, reg.FirstName, reg.LastName, reg.Email, reg.Phone, reg.Country,
			reg.Organization, reg.Position, reg.Role, reg.Language, pq.StringArray(domain.DateStrings(reg.Days)),
			reg.CheckinCode, reg.ConsentAt, confirmedAt,
		).Scan(&reg.ID, &reg.CreatedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			existing, err := registrationByEmail(ctx, tx, reg.EventID, reg.Email)
			if err != nil {
				return err
			}
			if existing.Status == domain.StatusCancelled || existing.Status == domain.StatusExpired {
				if err := s.revive(ctx, tx, existing.ID, reg); err != nil {
					return err
				}
				res.Created, res.Registration = true, reg
				break
			}
			res.Registration = existing
		case err != nil:
			return fmt.Errorf("store: insert registration: %w", unavailable(err))
		default:
			res.Created, res.Registration = true, reg
		}
		if res.Created && reg.Status.HoldsSeat() {
			if _, err := tx.ExecContext(ctx, `
				UPDATE events SET seats_held = seats_held + 1 WHERE id = $1`, reg.EventID); err != nil {
				return fmt.Errorf("store: take seat: %w", unavailable(err))
			}
		}
		if opt.CheckIn != nil && res.Registration.Status.HoldsSeat() {
			var err error
			res.Checkin, _, err = s.checkIn(ctx, tx, ev, opt.CheckedInBy,
				CheckinRequest{RegistrationID: res.Registration.ID, Day: opt.CheckIn.Day, At: opt.CheckIn.At})
			if err != nil {
				return err
			}
		}
		if opt.Notify {
			return s.notifyRegistration(ctx, tx, ev, res)
		}
		return nil
	})
	return res, err
}

// registerNew stores a registration request with one statement: for a new
// address the registration, its seat, link token and email. This is the
// common case of a registration rush, where every request for an event
// waits for the event's row lock: the lock is held for one statement and
// the commit rather than for a round trip per step (docs/PERFORMANCE.md).
// For an address already registered (and not cancelled or expired) the
// same statement finds the registration, and a second one, in the same
// transaction, sends its links again at most
// domain.MaxEmailsPerAddressHour times an hour: it must count after the
// lock is held, which a statement's own snapshot, taken before it waited
// for the lock, would not see. So a repeated address costs one statement
// more, not a different path, and the time of the answer barely tells the
// two apart (TestRepeatedRegistrationIsIndistinguishable).
//
// done is false, with nothing written, when the address belongs to a
// cancelled or expired registration (revived by the general path), when
// the conflicting registration committed after the statement began, or
// when the event is gone; register then takes the general path.
//
// The statement applies the same rules as the general path: the status is
// the seat status unless every seat is held (then waitlisted), a seat is
// taken only for a status that holds one, and the email is the one
// notifyRegistration queues.
func (s *Store) registerNew(ctx context.Context, ev *domain.Event, reg *domain.Registration, opt RegisterOptions) (res RegisterResult, done bool, err error) {
	seatStatus := domain.StatusPending
	if opt.Confirmed {
		seatStatus = domain.StatusConfirmed
	}
	hash, sealed, err := s.newLink()
	if err != nil {
		return res, false, err
	}
	payload := EmailPayload{SealedToken: sealed}
	var confirmedAt *time.Time
	if seatStatus == domain.StatusConfirmed {
		confirmedAt = &reg.ConsentAt
	}
	var row struct {
		ID        string        `db:"id"`
		Status    domain.Status `db:"status"`
		CreatedAt time.Time     `db:"created_at"`
		Created   bool          `db:"created"`
		Answer    domain.Status `db:"answer"`
		// Of a repeated address's registration, for its email.
		Email     string `db:"email"`
		Language  string `db:"language"`
		FirstName string `db:"first_name"`
		LastName  string `db:"last_name"`
	}
	// The CTEs run as one statement, so the event's row lock (FOR NO KEY
	// UPDATE, taken first, as everywhere) is held only until its commit. A
	// locked row is read in its newest version, so seats_held is current.
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &row, `
		WITH ev AS (
			SELECT id, capacity IS NOT NULL AND seats_held >= capacity AS full
			FROM events WHERE id = $1 FOR NO KEY UPDATE
		), reg AS (
			INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
				organization, position, role, language, days, checkin_code, consent_at, created_at,
				confirmed_at, email_verified_at)
			SELECT ev.id, CASE WHEN ev.full THEN 'waitlisted' ELSE $2 END,
				$3, $4, $5, $6, $7, $8, $9, $10, $11, $12::date[], $13, $14, $14,
				CASE WHEN ev.full THEN NULL ELSE $15::timestamptz END,
				CASE WHEN ev.full THEN NULL ELSE $15::timestamptz END
			FROM ev
			ON CONFLICT (event_id, lower(email)) DO NOTHING
			RETURNING id, status, created_at
		), old AS (
			SELECT r.id, r.status, r.created_at, r.email, r.language, r.first_name, r.last_name
			FROM registrations r, ev
			WHERE r.event_id = ev.id AND lower(r.email) = lower($5) AND r.status NOT IN ('cancelled', 'expired')
			  AND NOT EXISTS (SELECT 1 FROM reg)
		), seat AS (
			UPDATE events SET seats_held = seats_held + 1
			WHERE id = $1 AND EXISTS (SELECT 1 FROM reg WHERE reg.status <> 'waitlisted')
		), token AS (
			INSERT INTO registration_tokens (token_hash, registration_id, expires_at)
			SELECT $16, reg.id, $17 FROM reg
		), email AS (
			INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload, message_id)
			SELECT $1, reg.id, CASE WHEN reg.status = 'waitlisted' THEN $18 ELSE $19 END, $11, $5, $20, $21, $22
			FROM reg
		)
		SELECT outcome.* FROM (
			SELECT reg.id, reg.status, reg.created_at, true AS created, reg.status AS answer,
				'' AS email, '' AS language, '' AS first_name, '' AS last_name
			FROM reg
			UNION ALL
			SELECT old.id, old.status, old.created_at, false, CASE WHEN ev.full THEN 'waitlisted' ELSE $2 END,
				old.email, old.language, old.first_name, old.last_name
			FROM old, ev
		) AS outcome, pg_notify($23, '')`,
			ev.ID, seatStatus, reg.FirstName, reg.LastName, reg.Email, reg.Phone, reg.Country,
			reg.Organization, reg.Position, reg.Role, reg.Language, pq.StringArray(domain.DateStrings(reg.Days)),
			reg.CheckinCode, reg.ConsentAt, confirmedAt,
			hash, s.linkExpiry(ev),
			newRegistrationEmail(domain.StatusWaitlisted), newRegistrationEmail(seatStatus),
			reg.FirstName+" "+reg.LastName, payload, domain.NewMessageID(s.MailHost, s.Now()),
			NotifyChannel,
		)
		if errors.Is(err, sql.ErrNoRows) {
			return errTakeGeneralPath
		}
		if err != nil {
			return fmt.Errorf("store: insert registration: %w", unavailable(err))
		}
		if row.Created {
			return nil
		}
		// The links again, counted under the lock (see above).
		res = RegisterResult{Status: row.Answer, Registration: &domain.Registration{
			ID: row.ID, EventID: ev.ID, Status: row.Status, CreatedAt: row.CreatedAt,
			Email: row.Email, Language: row.Language, FirstName: row.FirstName, LastName: row.LastName}}
		return s.notifyRegistration(ctx, tx, ev, res)
	})
	if errors.Is(err, errTakeGeneralPath) {
		return res, false, nil
	}
	if err != nil {
		return res, false, err
	}
	if !row.Created {
		// As the general path answers a repeated address: the status a
		// new registration would have got, and the stored registration.
		return res, true, nil
	}
	reg.ID, reg.EventID, reg.Status, reg.CreatedAt = row.ID, ev.ID, row.Status, row.CreatedAt
	if reg.Status == domain.StatusWaitlisted {
		reg.ConfirmedAt = nil
	} else {
		reg.ConfirmedAt = confirmedAt
	}
	return RegisterResult{Registration: reg, Created: true, Status: reg.Status}, true, nil
}

// errTakeGeneralPath rolls back registerNew's transaction when the general
// path must decide.
var errTakeGeneralPath = errors.New("store: take the general registration path")

// newRegistrationEmail is the email a new registration of status gets.
func newRegistrationEmail(status domain.Status) domain.EmailKind {
	switch status {
	case domain.StatusWaitlisted:
		return domain.EmailWaitlisted
	case domain.StatusConfirmed:
		return domain.EmailConfirmed
	}
	return domain.EmailConfirmRequest
}

// revive turns a cancelled or expired registration into the new one,
// keeping its id (and so its history) but taking the new details and a new
// place at the end of the list. Its reminders are due again, as for any
// new registration.
func (s *Store) revive(ctx context.Context, tx *sqlx.Tx, id string, reg *domain.Registration) error {
	var confirmedAt *time.Time
	if reg.Status == domain.StatusConfirmed {
		confirmedAt = &reg.ConsentAt
	}
	err := tx.QueryRowxContext(ctx, `
		UPDATE registrations SET status = $2, first_name = $3, last_name = $4, email = $5, phone = $6,
			country = $7, organization = $8, position = $9, role = $10, language = $11, days = $12::date[],
			consent_at = $13, created_at = $13, updated_at = $13, confirmed_at = $14,
			email_verified_at = $14, cancelled_at = NULL,
			reminder_queued_at = NULL, confirm_reminder_queued_at = NULL
		WHERE id = $1
		RETURNING id, checkin_code, created_at`,
		id, reg.Status, reg.FirstName, reg.LastName, reg.Email, reg.Phone, reg.Country, reg.Organization,
		reg.Position, reg.Role, reg.Language, pq.StringArray(domain.DateStrings(reg.Days)), reg.ConsentAt, confirmedAt,
	).Scan(&reg.ID, &reg.CheckinCode, &reg.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: revive registration: %w", unavailable(err))
	}
	return nil
}

// notifyRegistration queues the email a registration request calls for. A
// repeated address gets its links again, at most a few times an hour, so
// the form cannot be used to flood an inbox; the answer is the same either way.
func (s *Store) notifyRegistration(ctx context.Context, tx *sqlx.Tx, ev *domain.Event, res RegisterResult) error {
	reg := res.Registration
	if res.Created {
		return s.queueEmail(ctx, tx, newRegistrationEmail(reg.Status), reg, ev, EmailPayload{})
	}
	return s.queueEmailThrottled(ctx, tx, domain.EmailAlreadyRegistered, reg, ev, EmailPayload{},
		domain.MaxEmailsPerAddressHour)
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
		add(`(r.first_name || ' ' || r.last_name ILIKE ? OR r.email ILIKE ? OR r.organization ILIKE ?)`, likePattern(q))
		// The three placeholders above share one argument.
	}
	return strings.Join(where, " AND "), args
}
