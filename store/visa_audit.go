package store

import (
	"context"
	"fmt"

	"github.com/attend/attend/domain"
)

// RecordVisaLetterDownload writes the audit entry of an organizer's
// download of registration regID's visa letter, before it is sent: the
// letter shows a passport number, so a letter that left the building is
// logged even if the download breaks off.
func (s *Store) RecordVisaLetterDownload(ctx context.Context, organizerID, eventID int64, regID string) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		return insertAudit(ctx, tx, auditRow{EventID: eventID, ActorID: &organizerID,
			Action: domain.AuditVisaLettersDownload, RegistrationID: regID})
	})
}

// RecordVisaLettersDownload counts the event's letters (see
// VisaLetterHolders) and writes the audit entry of an organizer's download
// of all of them, saying how many, before they are sent. With none to
// write it writes nothing and answers ENotFound: an empty archive would
// only puzzle.
func (s *Store) RecordVisaLettersDownload(ctx context.Context, organizerID, eventID int64) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &n, `
			SELECT count(*) FROM registrations r JOIN registration_visa v ON v.registration_id = r.id
			WHERE r.event_id = $1 AND r.status = $2`, eventID, domain.StatusConfirmed); err != nil {
			return fmt.Errorf("store: count visa letters: %w", unavailable(err))
		}
		if n == 0 {
			return domain.Errorf(domain.ENotFound, "there are no visa invitation letters yet: "+
				"a letter is written for each confirmed (and approved) participant who asked for one")
		}
		return insertAudit(ctx, tx, auditRow{EventID: eventID, ActorID: &organizerID,
			Action: domain.AuditVisaLettersDownload, Detail: domain.AuditDetail{Count: n}})
	})
	return n, err
}
