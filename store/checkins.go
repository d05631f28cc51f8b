package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/attend/attend/domain"
)

// Checkin is one person's attendance on one event day, with what the desk
// at the door needs to greet them.
type Checkin struct {
	RegistrationID string        `json:"registration_id" db:"registration_id"`
	Code           string        `json:"code" db:"checkin_code"`
	FirstName      string        `json:"first_name" db:"first_name"`
	LastName       string        `json:"last_name" db:"last_name"`
	Country        string        `json:"country" db:"country"`
	Delegation     string        `json:"delegation" db:"delegation"` // whom the person represents
	Day            domain.Date   `json:"day" db:"day"`
	CheckedInAt    time.Time     `json:"checked_in_at" db:"checked_in_at"`
	CheckedInBy    *int64        `json:"checked_in_by" db:"checked_in_by"` // organizer id; nil once that account is gone
	Status         domain.Status `json:"status" db:"status"`               // the registration's status after the check-in
}

const checkinColumns = `c.registration_id, r.checkin_code, r.first_name, r.last_name, r.country, c.day,
	c.checked_in_at, c.checked_in_by, r.status, coalesce(r.delegation, r.country) AS delegation`

// CheckinRequest names who arrived and when. Exactly one of Code and
// RegistrationID is set; callers check that, since only they know which
// fields the input had.
type CheckinRequest struct {
	Code           string      // as typed at the door; normalized here
	RegistrationID string      // a UUID
	Day            domain.Date // zero: today in the event's time zone
	At             time.Time   // zero: now (set when entering paper lists later)
}

// CheckIn records that a registration of the organizer's event attended on
// a day. It is idempotent: the first check-in of a person on a day is kept
// and returned again, with created false, however often or concurrently the
// code is scanned.
//
// Confirmed registrations are checked in. A pending registration is checked
// in and confirmed in the same transaction: the person is at the door, which
// settles what the unconfirmed email was meant to; no email is sent, since
// they hold their badge already. Waitlisted, cancelled and expired
// registrations are refused with a validation error on the identifying
// field (code "status"), so the desk can send them to an organizer.
func (s *Store) CheckIn(ctx context.Context, organizerID int64, slug string, req CheckinRequest) (*Checkin, bool, error) {
	var (
		out     *Checkin
		created bool
	)
	err := s.inTx(ctx, func(tx *dbTx) error {
		// A share lock keeps the event's dates still while the day is
		// checked, without making the desks at the door wait for each other;
		// the registration is locked after it, in the usual order.
		ev, err := getEvent(ctx, tx, `
			SELECT `+eventColumns+` FROM events e
			JOIN event_organizers eo ON eo.event_id = e.id AND eo.organizer_id = $2
			WHERE e.slug = $1 FOR SHARE OF e`, slug, organizerID)
		if err != nil {
			return err
		}
		out, created, err = s.checkIn(ctx, tx, ev, organizerID, req)
		return err
	})
	return out, created, err
}

func (s *Store) checkIn(ctx context.Context, tx *dbTx, ev *domain.Event, organizerID int64, req CheckinRequest) (*Checkin, bool, error) {
	day := req.Day
	if day.IsZero() {
		day = domain.DateOf(tx.now.In(ev.Location()))
	}
	if !ev.HasDay(day) {
		return nil, false, domain.ValidationError([]domain.FieldError{{Field: "day", Code: "day",
			Param:   ev.StartsOn.String() + "/" + ev.EndsOn.String(),
			Message: fmt.Sprintf("Day %s is not one of the event's dates (%s to %s).", day, ev.StartsOn, ev.EndsOn)}})
	}
	reg, field, err := registrationForCheckin(ctx, tx, ev.ID, req)
	if err != nil {
		return nil, false, err
	}
	t, err := domain.NextCheckIn(reg, ev, field)
	if err != nil {
		return nil, false, err
	}
	if err := s.apply(ctx, tx, ev, reg, t, EmailPayload{}); err != nil {
		return nil, false, err
	}
	at := req.At
	if at.IsZero() {
		at = tx.now
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO checkins (registration_id, event_id, day, checked_in_at, checked_in_by)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (registration_id, day) DO NOTHING`, reg.ID, ev.ID, day.String(), at, organizerID)
	if err != nil {
		return nil, false, fmt.Errorf("store: insert check-in: %w", unavailable(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("store: insert check-in: %w", err)
	}
	if n == 1 {
		if err := insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID, Action: domain.AuditCheckIn,
			RegistrationID: reg.ID, Day: &day}); err != nil {
			return nil, false, err
		}
	}
	var c Checkin
	err = tx.GetContext(ctx, &c, `
		SELECT `+checkinColumns+` FROM checkins c JOIN registrations r ON r.id = c.registration_id
		WHERE c.registration_id = $1 AND c.day = $2`, reg.ID, day.String())
	if err != nil {
		return nil, false, fmt.Errorf("store: read check-in: %w", unavailable(err))
	}
	c.CheckedInAt = c.CheckedInAt.In(ev.Location())
	return &c, n == 1, nil
}

// registrationForCheckin finds and locks the registration a check-in names,
// and says which input field named it.
func registrationForCheckin(ctx context.Context, tx *dbTx, eventID int64, req CheckinRequest) (*domain.Registration, string, error) {
	field, where, arg := "code", "r.checkin_code = $2", any(domain.NormalizeCheckinCode(req.Code))
	if req.RegistrationID != "" {
		field, where, arg = "registration_id", "r.id = $2::uuid", req.RegistrationID
		if !domain.ValidUUID(req.RegistrationID) {
			return nil, field, domain.ValidationError([]domain.FieldError{{Field: field, Code: "uuid",
				Message: "Registration id must be a UUID."}})
		}
	}
	var row registrationRow
	err := tx.GetContext(ctx, &row, `
		SELECT `+registrationColumns+` FROM registrations r
		WHERE r.event_id = $1 AND `+where+` FOR NO KEY UPDATE`, eventID, arg)
	if errors.Is(err, sql.ErrNoRows) {
		if field == "code" {
			return nil, field, domain.Errorf(domain.ENotFound, "no registration of this event has check-in code %s", arg)
		}
		return nil, field, domain.Errorf(domain.ENotFound, "no such registration")
	}
	if err != nil {
		return nil, field, fmt.Errorf("store: registration for check-in: %w", unavailable(err))
	}
	return row.registration(), field, nil
}

// UndoCheckIn removes a registration's check-in on a day, for a desk that
// scanned the wrong badge. It does not undo the confirmation a check-in may
// have brought: the person was at the door. Anything not found, including
// another organizer's event, is ENotFound.
func (s *Store) UndoCheckIn(ctx context.Context, organizerID int64, slug, registrationID, day string) error {
	d, err := domain.ParseDate(day)
	if err != nil || !domain.ValidUUID(registrationID) {
		return domain.Errorf(domain.ENotFound, "no such check-in")
	}
	return s.inTx(ctx, func(tx *dbTx) error {
		var eventID int64
		err := tx.GetContext(ctx, &eventID, `
			DELETE FROM checkins c USING events e, event_organizers eo
			WHERE c.event_id = e.id AND eo.event_id = e.id AND eo.organizer_id = $2 AND e.slug = $1
			  AND c.registration_id = $3::uuid AND c.day = $4
			RETURNING c.event_id`, slug, organizerID, registrationID, d.String())
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no such check-in")
		}
		if err != nil {
			return fmt.Errorf("store: delete check-in: %w", unavailable(err))
		}
		return insertAudit(ctx, tx, auditRow{EventID: eventID, ActorID: &organizerID, Action: domain.AuditCheckInUndo,
			RegistrationID: registrationID, Day: &d})
	})
}

// CheckinCount counts the people checked in for an event on one day, for
// the door page, which reloads after every check-in; the
// checkins_event_day index answers it.
func (s *Store) CheckinCount(ctx context.Context, eventID int64, day domain.Date) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM checkins WHERE event_id = $1 AND day = $2`, eventID, day.String()); err != nil {
		return 0, fmt.Errorf("store: count check-ins: %w", unavailable(err))
	}
	return n, nil
}
