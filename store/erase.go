package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/attend/attend/domain"
)

// EraseRegistration anonymizes one registration of an event the organizer
// manages (the participant's right to be forgotten).
func (s *Store) EraseRegistration(ctx context.Context, organizerID int64, slug, regID string) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		ev, reg, err := s.managedForUpdate(ctx, tx, organizerID, slug, regID)
		if err != nil {
			return err
		}
		if err := s.erase(ctx, tx, ev, reg); err != nil {
			return err
		}
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: domain.AuditRegistrationErase, RegistrationID: reg.ID})
	})
}

// EraseByEmail anonymizes the registration of email for the event with
// slug, for the command line, which acts with the operator's authority.
func (s *Store) EraseByEmail(ctx context.Context, slug, email string) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		ev, err := getEvent(ctx, tx, `SELECT `+eventColumns+` FROM events e WHERE e.slug = $1 FOR NO KEY UPDATE`, slug)
		if err != nil {
			return err
		}
		if err := holdSeats(ctx, tx, ev.ID, false); err != nil { // erasing may give a seat back
			return err
		}
		found, err := registrationByEmail(ctx, tx, ev.ID, email)
		if errors.Is(err, sql.ErrNoRows) {
			return domain.Errorf(domain.ENotFound, "no registration for %s at %s", email, slug)
		}
		if err != nil {
			return err
		}
		reg, err := registrationByID(ctx, tx, found.ID, true)
		if err != nil {
			return err
		}
		if err := s.erase(ctx, tx, ev, reg); err != nil {
			return err
		}
		// The command line acts for nobody in particular: no actor.
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, Action: domain.AuditRegistrationErase, RegistrationID: reg.ID})
	})
}

// EraseExpired applies each event's retention period: every registration
// of an event that ended more than retention_days ago is anonymized, unless
// the event is exempt (see ExemptFromRetention). It returns how many were
// erased per event, so the job can say what it did without naming anyone.
func (s *Store) EraseExpired(ctx context.Context) ([]EventCount, error) {
	return s.eachEventLocked(ctx, "find events past retention", `
		SELECT e.id FROM events e
		WHERE (e.ends_on + e.retention_days) < ($1::timestamptz AT TIME ZONE e.timezone)::date
		  AND NOT e.retention_exempt
		  AND EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = e.id AND r.erased_at IS NULL)`,
		func(tx *dbTx, ev *domain.Event) (int, error) {
			var ids []string
			if err := tx.SelectContext(ctx, &ids, `
				SELECT id FROM registrations WHERE event_id = $1 AND erased_at IS NULL
				ORDER BY created_at LIMIT $2 FOR NO KEY UPDATE`, ev.ID, periodicBatch); err != nil {
				return 0, fmt.Errorf("store: claim registrations to erase: %w", unavailable(err))
			}
			for _, rid := range ids {
				reg, err := registrationByID(ctx, tx, rid, false)
				if err != nil {
					return 0, err
				}
				if err := s.erase(ctx, tx, ev, reg); err != nil {
					return 0, err
				}
			}
			return len(ids), nil
		})
}

// ExemptFromRetention keeps the retention job away from an event whose
// participants are fictional (the demo's past workshop), so that a demo
// stays whole however long it runs. Nothing in the API sets it: an event
// of real people always has a retention period.
func (s *Store) ExemptFromRetention(ctx context.Context, eventID int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE events SET retention_exempt = true WHERE id = $1`, eventID)
	if err != nil {
		return fmt.Errorf("store: exempt event from retention: %w", unavailable(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return domain.Errorf(domain.ENotFound, "no such event")
	}
	return nil
}

// erasedAddress ends the placeholder address erase gives a registration.
const erasedAddress = "@erased.invalid"

// Erased reports whether reg's participant was erased: it has no name, and
// the placeholder address erase leaves.
func Erased(reg *domain.Registration) bool {
	return reg.FirstName == "" && reg.LastName == "" && strings.HasSuffix(reg.Email, erasedAddress)
}

// erase removes a person from a registration (locked, its event locked):
// names (both scripts), address, phone, employer, position and the answers
// that are personal data go; country, delegation, role, days, the other
// answers, status and times stay, so the statistics by country remain right. A
// registration for an event still to come is cancelled first, and its seat
// goes to the waiting list. Links stop working, unsent emails are dropped
// and sent ones lose their recipient.
func (s *Store) erase(ctx context.Context, tx *dbTx, ev *domain.Event, reg *domain.Registration) error {
	if tx.now.Before(ev.EndsAt()) {
		t, err := domain.Next(reg, domain.Cancel, domain.BySystem, ev)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, ev, reg, t, EmailPayload{}); err != nil {
			return err
		}
	}
	code, err := domain.NewCheckinCode()
	if err != nil {
		return err
	}
	// Answers to questions that are personal data go with the person;
	// the others stay, like the country, for the statistics.
	if _, err := tx.ExecContext(ctx, `
		UPDATE registrations SET first_name = '', last_name = '', latin_first_name = '', latin_last_name = '',
			email = 'erased-' || id || '`+erasedAddress+`', phone = '', organization = '', position = '',
			answers = $4::jsonb, checkin_code = $2, erased_at = coalesce(erased_at, $3), updated_at = $3
		WHERE id = $1`, reg.ID, code, tx.now, answersJSON(ev.Questions.ErasedAnswers(reg.Answers))); err != nil {
		return fmt.Errorf("store: anonymize registration: %w", unavailable(err))
	}
	if err := eraseInvitees(ctx, tx, "registration_id = $1::uuid", reg.ID, tx.now); err != nil {
		return err
	}
	if err := eraseVisa(ctx, tx, reg.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM registration_tokens WHERE registration_id = $1`, reg.ID); err != nil {
		return fmt.Errorf("store: delete link tokens: %w", unavailable(err))
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE emails SET recipient = 'erased@erased.invalid', recipient_name = '', payload = '{}',
			status = CASE WHEN status IN ('queued', 'sending') THEN 'failed' ELSE status END,
			-- An SMTP server's error text may quote the address.
			last_error = CASE WHEN status IN ('queued', 'sending') OR last_error IS NOT NULL
				THEN 'recipient erased' END,
			locked_until = NULL
		WHERE registration_id = $1`, reg.ID); err != nil {
		return fmt.Errorf("store: anonymize emails: %w", unavailable(err))
	}
	return nil
}

// PersonalData is everything attend holds about one participant, for the
// download offered on their manage page.
type PersonalData struct {
	Registration *domain.Registration `json:"registration"`
	Event        struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
		// Questions are the questions the answers reply to.
		Questions domain.Questions `json:"questions"`
	} `json:"event"`
	Emails []struct {
		Kind      string  `json:"kind" db:"kind"`
		Status    string  `json:"status" db:"status"`
		Recipient string  `json:"recipient" db:"recipient"`
		CreatedAt string  `json:"queued_at" db:"created_at"`
		SentAt    *string `json:"sent_at" db:"sent_at"`
	} `json:"emails"`
	// Visa are the passport details given for a visa letter, or null.
	Visa *domain.VisaDetails `json:"visa"`
}

// PersonalDataByToken gathers a participant's data from their link. It
// reads only.
func (s *Store) PersonalDataByToken(ctx context.Context, hash []byte) (*PersonalData, error) {
	l, err := s.LinkByToken(ctx, hash)
	if err != nil {
		return nil, err
	}
	out := &PersonalData{Registration: l.Registration}
	out.Event.Slug, out.Event.Title, out.Event.Questions = l.Event.Slug, l.Event.Title, l.Event.Questions
	err = s.db.SelectContext(ctx, &out.Emails, `
		SELECT kind, status, recipient, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created_at,
			to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS sent_at
		FROM emails WHERE registration_id = $1 ORDER BY id`, l.Registration.ID)
	if err != nil {
		return nil, fmt.Errorf("store: personal data emails: %w", unavailable(err))
	}
	out.Visa, err = s.VisaOf(ctx, l.Registration.ID)
	return out, err
}
