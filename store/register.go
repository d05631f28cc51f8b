package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// RegisterResult says what became of a registration request. Created is
// false when the email was already registered for the event (and not
// cancelled or expired); Status is then what a new registration would have
// got, so callers can answer alike.
type RegisterResult struct {
	Registration *domain.Registration
	Created      bool
	Status       domain.Status
	// Checkin is the attendance recorded by RegisterWalkIn's check-in.
	Checkin *Checkin
}

// checkinCodeTaken says that err is a new registration's random check-in
// code colliding with another of its event: drawn again, it is retried.
func checkinCodeTaken(err error) bool {
	return isUniqueViolation(err, "registrations_event_id_checkin_code_key")
}

// checkinRetries bounds retries on the (astronomically rare) collision of a
// random check-in code within one event.
const checkinRetries = 5

// Register is a participant's registration request, from the form or the
// API. The registration gets the status domain's table gives a participant
// (pending, or waitlisted when every seat is held; awaiting_approval, with
// no seat, on an event that requires approval) and the email that goes
// with it. A repeated address keeps its registration, gets its links again
// at most domain.MaxEmailsPerAddressHour times an hour, and is answered
// with the status a new registration would get. A cancelled or expired
// registration registered again starts afresh, at the end of any waiting
// list, keeping its id.
func (s *Store) Register(ctx context.Context, ev *domain.Event, reg *domain.Registration) (RegisterResult, error) {
	return s.register(ctx, ev, reg, registering{by: domain.ByParticipant})
}

// RegisterWalkIn is an organizer registering someone at the desk or with an
// API token: confirmed while a seat is free, and emailed. With checkIn the
// person is also checked in by the organizer, in the same transaction,
// unless the registration ends up on the waiting list.
func (s *Store) RegisterWalkIn(ctx context.Context, ev *domain.Event, reg *domain.Registration, organizerID int64, checkIn *CheckinRequest) (RegisterResult, error) {
	return s.register(ctx, ev, reg, registering{by: domain.ByOrganizer, organizerID: organizerID, checkIn: checkIn})
}

// ImportRegistration records a registration an organizer brings from
// elsewhere (the demo's past workshop, a list from the door): as a
// walk-in, but nobody is emailed.
func (s *Store) ImportRegistration(ctx context.Context, ev *domain.Event, reg *domain.Registration) (RegisterResult, error) {
	return s.register(ctx, ev, reg, registering{by: domain.ByOrganizer, quiet: true})
}

// registering is how one use case registers: who acts, whether the outcome
// is emailed, and a check-in to record with it.
type registering struct {
	by          domain.Actor
	quiet       bool
	organizerID int64
	checkIn     *CheckinRequest
	// invitation is the hash of a personal invitation link's token
	// (RegisterInvited); claimInvitation checks it.
	invitation []byte
}

// register is the one path every registration takes, in one transaction.
// The unique index on (event, lower(email)) makes a repeated address a
// conflict rather than a second row. A registration that finds a seat
// takes it from one of the event's seat parts (seats.go) and no event lock;
// one that finds every part empty holds the event's seat lock, shared with
// others doing the same but not with any change that gives seats back, and
// looks again: only then is the event full and the registration waitlisted
// (eventLock).
func (s *Store) register(ctx context.Context, ev *domain.Event, reg *domain.Registration, how registering) (RegisterResult, error) {
	plan := domain.PlanRequest(ev, how.by)
	for attempt := 0; ; attempt++ {
		res, err := s.registerOnce(ctx, ev, reg, plan, how)
		if checkinCodeTaken(err) && attempt < checkinRetries {
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

func (s *Store) registerOnce(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, how registering) (RegisterResult, error) {
	// An event that looked full when it was read (perhaps from the cache,
	// so the answer may be stale either way) is looked at under its lock
	// at once: in a rush for a small event, most requests find it full.
	if left := ev.SeatsLeft(); left != nil && *left == 0 {
		return s.registerFull(ctx, ev, reg, plan, how)
	}
	if how.alone(ev, reg) {
		res, err := s.registerAlone(ctx, ev, reg, plan, how)
		switch {
		case errors.Is(err, errNoSeatPart):
			return s.registerFull(ctx, ev, reg, plan, how)
		case !errors.Is(err, errRegisteredBefore):
			return res, err
		}
		// Registered before and to start afresh (cancelled, expired), or
		// registered meanwhile: the transaction below decides under the
		// registration's row lock.
	}
	res, err := s.registerIn(ctx, ev, reg, plan, how, lockNone)
	if errors.Is(err, errNoSeatPart) {
		// No part had a seat. That transaction is over, and with it any
		// part it locked looking (seats.go); registerFull looks again
		// under the event's seat lock, which every seat given back and
		// every promotion holds alone.
		res, err = s.registerFull(ctx, ev, reg, plan, how)
	}
	return res, err
}

// registerFull is a registration request that found no seat free, or an
// event that looked full: holding the event's seat lock shared with the
// others in the same case, so that a rush for a small event joins its
// waiting list in parallel. Only when a part still showed a seat, held by
// another registration taking one, does it look again holding the event's
// row, waiting for the parts.
func (s *Store) registerFull(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, how registering) (RegisterResult, error) {
	res, err := s.registerIn(ctx, ev, reg, plan, how, lockShared)
	if errors.Is(err, errNoSeatPart) {
		res, err = s.registerIn(ctx, ev, reg, plan, how, lockExclusive)
	}
	return res, err
}

// eventLock is which of its event's locks a registration transaction
// holds.
//
// Every change that gives seats back or promotes the waiting list (a
// cancellation, an expiry, a capacity changed, a recount) holds the event's
// seat lock alone (seats.go, holdSeats). A registration holding it shared
// knows that no such change is under way, and its next statement's
// snapshot holds every one that committed: a part empty in it stays empty
// until the transaction ends, since registrations only take seats. So,
// finding no part with a seat free in that snapshot, it joins the waiting
// list in parallel with the others; a promotion that follows waits for
// their commits and sees them, in registration order. A part that shows a
// seat but is held by a registration taking one may still have a seat
// after that commit; the shared holder does not wait for it (two such
// waits could deadlock, seats.go), and the request looks again holding the
// event's row, which every change of seats other than taking one holds.
type eventLock int

const (
	lockNone      eventLock = iota // a seat is taken from a part, or nothing is written
	lockShared                     // the seat lock shared: the waiting list, unless a part may have a seat
	lockExclusive                  // the event's row: waits for the parts, and the event may be full
)

// errNoSeatPart is registerIn's answer when no seat part had a seat and
// the answer was not final (the event's row not held), so nothing was
// written.
var errNoSeatPart = errors.New("store: no seat part has a seat")

// errRegisteredBefore is registerAlone's answer for an address whose
// registration lives on: nothing was written.
var errRegisteredBefore = errors.New("store: the address is registered")

// alone says whether a registration request is the register statement and
// nothing else: a participant's, without an invitation to claim, passport
// details to save or a check-in to record.
func (how registering) alone(ev *domain.Event, reg *domain.Registration) bool {
	return how.by == domain.ByParticipant && !how.quiet && how.invitation == nil && how.checkIn == nil &&
		!ev.InvitationOnly && reg.Visa == nil && ev.VisaLetters == nil
}

// registerAlone is the common registration, a new address with a seat
// free (or no capacity), as its one statement committed on its own: no
// BEGIN and COMMIT round trips around it, and its seat part locked for the
// statement and its commit only. It writes nothing, and answers
// errNoSeatPart or errRegisteredBefore, when the request needs the
// transaction of registerIn: every part empty, or the address registered
// before (then it has locked nothing either, so that a repeated address
// costs little more time than a new one; TestRepeatedRegistrationIsIndistinguishable).
func (s *Store) registerAlone(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, how registering) (RegisterResult, error) {
	var res RegisterResult
	err := retried(ctx, func() error {
		row, err := s.registerBatched(ctx, ev, reg, plan)
		if errors.Is(err, errWriteAlone) {
			row, err = s.registerNew(ctx, ev, reg, plan)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errNoSeatPart
		case err != nil:
			return err
		case row.Known != nil && !slices.Contains(plan.Afresh, *row.Known):
			// Registered, and not to start afresh: the answer is the
			// registration as it stands, and its links again.
			res = RegisterResult{Status: row.Answer}
			res.Registration, err = s.registeredAgain(ctx, nil, ev, reg.Email, plan, how.quiet, s.Now())
			return err // errRegisteredBefore: cancelled meanwhile, it starts afresh
		case row.ID == nil: // to start afresh, or registered meanwhile
			return errRegisteredBefore
		}
		res = row.created(ev, reg, plan)
		return nil
	})
	if err == nil && !how.quiet {
		s.wakeWorkers()
	}
	return res, err
}

// registerIn is one transaction of a registration request: holding no
// lock of its event, it writes only if it finds a seat, and holding the
// seat lock shared, only if it finds one or every part is empty (else
// errNoSeatPart); holding the event's row, the event may be full.
func (s *Store) registerIn(ctx context.Context, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, how registering, lock eventLock) (RegisterResult, error) {
	way := registerWay{quiet: how.quiet, lock: lock}
	// Joining a waiting list holds an event's lock for its statement: a
	// statement planned once keeps that section short (a rush for a small
	// event is mostly such requests).
	s.prepareAhead(ctx, way, func() (string, error) {
		query, _, err := s.registerStatement(ev, reg, plan, way, s.Now())
		return query, err
	})
	var res RegisterResult
	err := s.inTxRetried(ctx, func(tx *dbTx) error {
		res = RegisterResult{} // a transaction run again starts afresh
		switch lock {
		case lockShared:
			if err := holdSeats(ctx, tx, ev.ID, true); err != nil {
				return err
			}
		case lockExclusive:
			if err := lockEvent(ctx, tx, ev.ID); err != nil {
				return err
			}
		}
		row, err := s.registerRow(ctx, tx, ev, reg, plan, way, tx.now)
		switch {
		case errors.Is(err, sql.ErrNoRows) && lock != lockExclusive:
			return errNoSeatPart
		case errors.Is(err, sql.ErrNoRows):
			return domain.Errorf(domain.ENotFound, "no such event")
		case err != nil:
			return err
		}
		res.Status = row.Answer
		if !how.quiet {
			tx.queuedEmail = true
		}
		if row.ID == nil {
			if res.Registration, err = s.registeredAgain(ctx, tx, ev, reg.Email, plan, how.quiet, tx.now); err != nil {
				return err
			}
		} else {
			res = row.created(ev, reg, plan)
			if reg.Visa != nil || ev.VisaLetters != nil {
				// Passport details, on an event that offers visa letters,
				// in the same transaction (a registration that starts
				// afresh without them drops the old ones).
				if err := saveVisa(ctx, tx, reg.ID, reg.Visa); err != nil {
					return err
				}
			}
			if how.by == domain.ByOrganizer && !how.quiet {
				if err := insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &how.organizerID,
					Action: domain.AuditRegistrationWalkIn, RegistrationID: reg.ID}); err != nil {
					return err
				}
			}
		}
		if err := claimInvitation(ctx, tx, ev, how, res.Registration); err != nil {
			return err
		}
		if how.checkIn == nil {
			return nil
		}
		if _, refused := domain.NextCheckIn(res.Registration, ev, ""); refused != nil {
			return nil // a walk-in on the waiting list is not checked in; the answer shows its status
		}
		req := *how.checkIn
		req.Code, req.RegistrationID = "", res.Registration.ID
		res.Checkin, _, err = s.checkIn(ctx, tx, ev, how.organizerID, req)
		return err
	})
	return res, err
}

// registerWay is what a register statement may do.
type registerWay struct {
	quiet bool      // it queues no email
	lock  eventLock // which of the event's locks is held: with one, finding no seat, it may waitlist
	// newOnly leaves an address registered before (even cancelled) as it
	// is, without locking its row: the statement then writes nothing at
	// all, so its commit has nothing to flush.
	newOnly bool
}

// registerRow runs registerStatement, prepared where it can be, in tx or
// (tx nil) on its own: sql.ErrNoRows means that no seat part had a seat
// and the event may not be full, so nothing was written.
func (s *Store) registerRow(ctx context.Context, tx *dbTx, ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, way registerWay, now time.Time) (registerAnswer, error) {
	var row registerAnswer
	query, args, err := s.registerStatement(ev, reg, plan, way, now)
	if err != nil {
		return row, err
	}
	err = s.getPrepared(ctx, tx, &row, query, args...)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return row, fmt.Errorf("store: register: %w", unavailable(err))
	}
	return row, err
}

// registerAnswer is registerStatement's row: the status a new registration
// gets, and the registration written, if any.
type registerAnswer struct {
	Answer domain.Status `db:"answer"`
	// Known is, with newOnly, the status of the address's registration,
	// if it has one; nothing was written then.
	Known       *domain.Status `db:"known"`
	ID          *string        `db:"id"`
	Status      *domain.Status `db:"status"`
	CheckinCode *string        `db:"checkin_code"`
	CreatedAt   *time.Time     `db:"created_at"`
}

// created is the registration a registerAnswer with a row wrote: reg, its
// fields set from the row and the plan's step it took.
func (row registerAnswer) created(ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan) RegisterResult {
	step := plan.SeatFree
	if *row.Status != step.To {
		step = plan.Full
	}
	reg.ID, reg.EventID, reg.Status, reg.CheckinCode, reg.CreatedAt = *row.ID, ev.ID, *row.Status, *row.CheckinCode, *row.CreatedAt
	reg.ConfirmedAt, reg.CancelledAt = nil, nil
	if step.Confirms() {
		at := reg.ConsentAt
		reg.ConfirmedAt = &at
	}
	return RegisterResult{Registration: reg, Created: true, Status: row.Answer}
}

// lockEvent takes the event's row lock.
func lockEvent(ctx context.Context, tx *dbTx, eventID int64) error {
	var id int64
	err := tx.GetContext(ctx, &id, `SELECT id FROM events WHERE id = $1 FOR NO KEY UPDATE`, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Errorf(domain.ENotFound, "no such event")
	}
	if err != nil {
		return fmt.Errorf("store: lock event: %w", unavailable(err))
	}
	return nil
}

// registerStatement is a registration request in one statement, so the
// seat part it locks is held for one statement and the commit
// (docs/PERFORMANCE.md). It picks a part with a seat free (seatPick) and,
// of the two outcomes the plan gives, the one for what it found; inserts
// the registration with it or, for an address whose registration was
// cancelled or expired, overwrites that one (keeping its id and check-in
// code); takes the seat from the part; queues the email; and answers the
// status a new registration gets. Finding no seat writes nothing and
// answers no row, unless the event's row is held, or its seat lock and
// every part shows no seat (eventLock). An address whose registration lives
// on (with way.newOnly, any address registered before) conflicts and is
// left as it is, locked unless way.newOnly: then no registration comes
// back.
func (s *Store) registerStatement(ev *domain.Event, reg *domain.Registration, plan domain.RegisterPlan, way registerWay, now time.Time) (string, []any, error) {
	var st statement
	outcome := func(t domain.Transition, full bool) string {
		var confirmed, verified *time.Time
		if t.Confirms() {
			confirmed = &reg.ConsentAt
		}
		if t.VerifiesAddress() {
			verified = &reg.ConsentAt
		}
		return "(" + st.arg(full) + "::boolean, " + st.arg(t.To) + ", " + st.arg(t.Email) + ", " +
			st.arg(t.TakesSeat()) + "::boolean, " + st.arg(confirmed) + "::timestamptz, " + st.arg(verified) + "::timestamptz)"
	}
	outcomes := outcome(plan.SeatFree, false) + ", " + outcome(plan.Full, true)
	at, email := st.arg(reg.ConsentAt)+"::timestamptz", st.arg(reg.Email)
	// The one list of what a registration request writes, each column with
	// its value: a new registration is inserted with it, and one that
	// starts afresh is overwritten with it.
	values := []struct{ column, value string }{
		{"status", "outcome.status"},
		{"confirmed_at", "outcome.confirmed_at"},
		{"email_verified_at", "outcome.verified_at"},
		{"first_name", st.arg(reg.FirstName)},
		{"last_name", st.arg(reg.LastName)},
		{"email", email},
		{"phone", st.arg(reg.Phone)},
		{"country", st.arg(reg.Country)},
		{"organization", st.arg(reg.Organization)},
		{"position", st.arg(reg.Position)},
		{"role", st.arg(reg.Role)},
		{"language", st.arg(reg.Language)},
		{"days", st.arg(pq.StringArray(domain.DateStrings(reg.Days))) + "::date[]"},
		{"consent_at", at},
		{"created_at", at},
		{"updated_at", st.arg(now) + "::timestamptz"},
		{"cancelled_at", "NULL::timestamptz"},
		{"reminder_queued_at", "NULL::timestamptz"},
		{"confirm_reminder_queued_at", "NULL::timestamptz"},
		{"delegation", "NULLIF(" + st.arg(reg.Delegation) + "::text, '')"}, // none: the country
		{"latin_first_name", st.arg(reg.LatinFirstName)},
		{"latin_last_name", st.arg(reg.LatinLastName)},
		{"answers", st.arg(answersJSON(reg.Answers)) + "::jsonb"},
		{"edited_at", "NULL::timestamptz"},
	}
	columns, exprs, overwrite := make([]string, len(values)), make([]string, len(values)), make([]string, len(values))
	for i, v := range values {
		columns[i], exprs[i], overwrite[i] = v.column, v.value, v.column+" = EXCLUDED."+v.column
	}
	conflict := "DO NOTHING"
	if !way.newOnly {
		conflict = "DO UPDATE SET " + strings.Join(overwrite, ", ") + `
			WHERE registrations.status = ANY(` + st.arg(afreshArray(plan)) + `::text[])`
	}
	eventID := st.arg(ev.ID) + "::bigint"
	// With newOnly, an address registered before is seen before any seat
	// part is locked (the insert would find it too, but only after the
	// lock, which makes the statement's commit wait for a disk flush): the
	// statement then writes and locks nothing, and answers the status a new
	// registration would get from a look at the parts, and the status the
	// address has.
	known, pick, seated, insertIf := "NULL::text", seatPick(eventID, way.lock == lockExclusive), "", ""
	switch way.lock {
	case lockNone:
		seated = "WHERE pick.part IS NOT NULL"
	case lockShared:
		seated = `WHERE pick.part IS NOT NULL
				OR NOT EXISTS (SELECT FROM seat_parts WHERE event_id = ` + eventID + ` AND (free IS NULL OR free > 0))`
	}
	if way.newOnly {
		known = `(SELECT status FROM registrations WHERE event_id = ` + eventID + ` AND lower(email) = lower(` + email + `))`
		pick = `CASE WHEN known.status IS NULL THEN ` + pick + `
			ELSE (SELECT part FROM seat_parts WHERE event_id = ` + eventID + ` AND (free IS NULL OR free > 0) LIMIT 1) END`
		seated = "WHERE pick.part IS NOT NULL OR (SELECT status FROM known) IS NOT NULL"
		insertIf = "WHERE (SELECT status FROM known) IS NULL"
	}
	query := `
		WITH known AS (
			SELECT ` + known + ` AS status
		), pick AS (
			SELECT ` + pick + ` AS part FROM known
		), outcome AS (
			SELECT ` + eventID + ` AS event_id, pick.part, o.status, o.kind, o.seat, o.confirmed_at, o.verified_at
			FROM pick JOIN (VALUES ` + outcomes + `) AS o (if_full, status, kind, seat, confirmed_at, verified_at)
				ON o.if_full = (pick.part IS NULL)
			` + seated + `
		), reg AS (
			INSERT INTO registrations (event_id, checkin_code, ` + strings.Join(columns, ", ") + `)
			SELECT outcome.event_id, ` + st.arg(reg.CheckinCode) + `, ` + strings.Join(exprs, ", ") + `
			FROM outcome ` + insertIf + `
			ON CONFLICT (event_id, lower(email)) ` + conflict + `
			RETURNING id, event_id, status, checkin_code, created_at, email, language,
				first_name || ' ' || last_name AS name
		), seat AS (
			UPDATE seat_parts SET held = held + 1, free = free - 1
			FROM outcome
			WHERE seat_parts.event_id = outcome.event_id AND seat_parts.part = outcome.part
				AND outcome.seat AND EXISTS (SELECT 1 FROM reg)
		)`
	if !way.quiet {
		outbox, err := s.outboxCTEs(&st, ev, EmailPayload{}, now)
		if err != nil {
			return "", nil, err
		}
		query += `, target AS (
			SELECT reg.id, reg.event_id, reg.email, reg.language, reg.name, outcome.kind
			FROM reg, outcome WHERE outcome.kind <> ''
		), ` + outbox
	}
	query += `
		SELECT outcome.status AS answer, (SELECT status FROM known) AS known,
			reg.id, reg.status, reg.checkin_code, reg.created_at
		FROM outcome LEFT JOIN reg ON true`
	return query, st.args, nil
}

// afreshArray is plan.Afresh as a PostgreSQL text array.
func afreshArray(plan domain.RegisterPlan) pq.StringArray {
	afresh := make(pq.StringArray, len(plan.Afresh))
	for i, status := range plan.Afresh {
		afresh[i] = string(status)
	}
	return afresh
}

// registeredAgain answers a request for an address whose registration
// lives on: the registration as it stands, and, unless quiet, its links
// again (the email repeat), at most domain.MaxEmailsPerAddressHour times an
// hour, so the form cannot flood an inbox. The count must be taken after
// the registration's row lock is held, which the statement's own snapshot,
// taken before it waited for the lock, would not see: the database function
// emails_to_address_after_lock takes the lock and then counts (migration
// 00021). So the statement may run on its own (tx nil), and a repeat costs
// one statement more than a new registration, whose time it barely differs
// from (TestRepeatedRegistrationIsIndistinguishable); in tx, the register
// statement has locked the row already. A registration cancelled or
// expired (plan.Afresh) by the time the lock is held gets no email, and
// the answer is errRegisteredBefore: the caller has it start afresh.
func (s *Store) registeredAgain(ctx context.Context, tx *dbTx, ev *domain.Event, email string, plan domain.RegisterPlan, quiet bool, now time.Time) (*domain.Registration, error) {
	if quiet {
		return registrationByEmail(ctx, tx, ev.ID, email)
	}
	var st statement
	outbox, err := s.outboxCTEs(&st, ev, EmailPayload{}, now)
	if err != nil {
		return nil, err
	}
	eventID, address := st.arg(ev.ID)+"::bigint", st.arg(email)+"::text"
	var row struct {
		registrationRow
		// Lately counts the emails the address got within the hour, -1
		// when, once locked, the registration was gone or to start afresh.
		Lately int64 `db:"lately"`
	}
	err = s.getPrepared(ctx, tx, &row, `
		WITH found AS (
			SELECT `+registrationColumns+` FROM registrations r
			WHERE r.event_id = `+eventID+` AND lower(r.email) = lower(`+address+`)
		), verdict AS (
			SELECT emails_to_address_after_lock(`+eventID+`, `+address+`, `+st.arg(now.Add(-time.Hour))+`::timestamptz,
				`+st.arg(afreshArray(plan))+`::text[]) AS lately
			FROM found
		), target AS (
			SELECT found.id, found.event_id, found.email, found.language,
				found.first_name || ' ' || found.last_name AS name, `+st.arg(plan.Repeat)+`::text AS kind
			FROM found, verdict
			WHERE verdict.lately >= 0 AND verdict.lately < `+st.arg(domain.MaxEmailsPerAddressHour)+`
		), `+outbox+`
		SELECT found.*, verdict.lately FROM found, verdict`, st.args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return nil, fmt.Errorf("store: registered again: %w", unavailable(err))
	}
	if row.Lately < 0 {
		return nil, errRegisteredBefore
	}
	return row.registrationRow.registration(), nil
}
