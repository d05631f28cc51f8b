package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Edit is a participant's change to their registration: given the
// registration and its event as they stand (locked) and the transaction's
// time, it returns the registration as it becomes and what changed, or an
// error to refuse the change (domain.Rules.EditRegistration).
type Edit func(reg *domain.Registration, ev *domain.Event, now time.Time) (*domain.Registration, []domain.Change, error)

// EditByToken lets the participant behind a link change their
// registration, under the event's and then the registration's row lock,
// so that the edit sees the registration window and the registration as
// they are. A change that changes something is written with the time of
// the edit (Registration.EditedAt, which organizers see) and emailed to
// the participant with the list of what changed (domain.EmailUpdated), in
// the same transaction. It returns the link with the registration as it
// now stands, and the changes.
func (s *Store) EditByToken(ctx context.Context, hash []byte, edit Edit) (*Link, []domain.Change, error) {
	var (
		l       *Link
		changes []domain.Change
	)
	err := s.inTx(ctx, func(tx *dbTx) error {
		var err error
		if l, err = s.linkByToken(ctx, tx, hash, true, tx.now); err != nil {
			return err
		}
		var after *domain.Registration
		if after, changes, err = edit(l.Registration, l.Event, tx.now); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE registrations SET first_name = $2, last_name = $3, latin_first_name = $4, latin_last_name = $5,
				phone = $6, country = $7, delegation = $8, organization = $9, position = $10, role = $11,
				language = $12, days = $13::date[], answers = $14::jsonb, edited_at = $15, updated_at = $15
			WHERE id = $1`,
			after.ID, after.FirstName, after.LastName, after.LatinFirstName, after.LatinLastName,
			after.Phone, after.Country, after.Delegation, after.Organization, after.Position, after.Role,
			after.Language, pq.StringArray(domain.DateStrings(after.Days)), answersJSON(after.Answers), tx.now); err != nil {
			return fmt.Errorf("store: edit registration: %w", unavailable(err))
		}
		fields := make([]string, len(changes))
		for i, c := range changes {
			fields[i] = c.Field
		}
		if err := insertAudit(ctx, tx, auditRow{EventID: l.Event.ID, Action: domain.AuditRegistrationUpdate,
			RegistrationID: after.ID, Detail: domain.AuditDetail{Fields: fields}}); err != nil {
			return err
		}
		if err := s.queueEmail(ctx, tx, domain.EmailUpdated, after, l.Event, EmailPayload{Changes: changes}); err != nil {
			return err
		}
		l.Registration, err = registrationByID(ctx, tx, after.ID, false)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return l, changes, nil
}
