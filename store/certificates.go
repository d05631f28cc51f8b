package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/attend/attend/domain"
)

// certificateRow is a row of event_certificates.
type certificateRow struct {
	Rule           string `db:"rule"`
	MinDays        int    `db:"min_days"`
	Hours          int    `db:"hours"`
	SignatoryName  string `db:"signatory_name"`
	SignatoryTitle string `db:"signatory_title"`
}

// CertificateSettings reads the certificate settings of the event with id
// eventID; ok is false when the event offers no certificates (nobody has
// set them), which is then no error.
func (s *Store) CertificateSettings(ctx context.Context, eventID int64) (cs domain.CertificateSettings, ok bool, err error) {
	var row certificateRow
	err = s.db.GetContext(ctx, &row, `
		SELECT rule, min_days, hours, signatory_name, signatory_title
		FROM event_certificates WHERE event_id = $1`, eventID)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.CertificateSettings{}, false, nil
	}
	if err != nil {
		return domain.CertificateSettings{}, false, fmt.Errorf("store: certificate settings: %w", unavailable(err))
	}
	rule := domain.CertificateRule{Kind: domain.CertificateRuleKind(row.Rule)}
	if rule.Kind == domain.RuleMinDays {
		rule.MinDays = row.MinDays
	}
	return domain.CertificateSettings{Rule: rule, Hours: row.Hours,
		SignatoryName: row.SignatoryName, SignatoryTitle: row.SignatoryTitle}, true, nil
}

// CertificateChange is a change to an event's certificate settings made
// with the event itself (CreateEvent, UpdateEvent), in its transaction:
// Settings (validated by domain.Rules.CertificateSettings) replace any
// before, Remove stops the event offering certificates, and the zero value
// leaves them as they are.
type CertificateChange struct {
	Settings *domain.CertificateSettings
	Remove   bool
}

// SetCertificateSettings stores the event's certificate settings (already
// validated by domain.Rules.CertificateSettings), replacing any before.
func (s *Store) SetCertificateSettings(ctx context.Context, eventID int64, cs domain.CertificateSettings) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		return applyCertificateChange(ctx, tx, eventID, CertificateChange{Settings: &cs})
	})
}

// RemoveCertificateSettings stops the event offering certificates.
func (s *Store) RemoveCertificateSettings(ctx context.Context, eventID int64) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		return applyCertificateChange(ctx, tx, eventID, CertificateChange{Remove: true})
	})
}

func applyCertificateChange(ctx context.Context, tx *dbTx, eventID int64, ch CertificateChange) error {
	switch {
	case ch.Remove:
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_certificates WHERE event_id = $1`, eventID); err != nil {
			return fmt.Errorf("store: remove certificate settings: %w", unavailable(err))
		}
	case ch.Settings != nil:
		cs := ch.Settings
		_, err := tx.ExecContext(ctx, `
			INSERT INTO event_certificates (event_id, rule, min_days, hours, signatory_name, signatory_title, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (event_id) DO UPDATE SET rule = EXCLUDED.rule, min_days = EXCLUDED.min_days,
				hours = EXCLUDED.hours, signatory_name = EXCLUDED.signatory_name,
				signatory_title = EXCLUDED.signatory_title, updated_at = EXCLUDED.updated_at`,
			eventID, string(cs.Rule.Kind), cs.Rule.MinDays, cs.Hours, cs.SignatoryName, cs.SignatoryTitle, tx.now)
		if err != nil {
			return fmt.Errorf("store: set certificate settings: %w", unavailable(err))
		}
	}
	return nil
}

// QueueCertificateEmails emails, once each, everyone who meets their
// event's certificate rule a link to their certificate, once the event's
// last day is over. Attendance counts whatever the registration's status
// is now (domain.CertificateRule); erased registrations get nothing. Only
// events that ended less than LinkGrace ago are considered: the email's
// link stops working then, so an older event gets no email with a dead
// link. Rows are claimed and stamped as the reminders are.
func (s *Store) QueueCertificateEmails(ctx context.Context) (int, error) {
	return s.queueReminders(ctx, domain.EmailCertificate, `
		SELECT `+registrationColumns+` FROM registrations r
		JOIN events e ON e.id = r.event_id
		JOIN event_certificates c ON c.event_id = e.id
		WHERE r.certificate_queued_at IS NULL AND r.erased_at IS NULL
		  AND $1 >= (e.ends_on + e.day_ends_at) AT TIME ZONE e.timezone
		  AND $1 < (e.ends_on + e.day_ends_at) AT TIME ZONE e.timezone + $3 * interval '1 microsecond'
		  AND (SELECT count(DISTINCT k.day) FROM checkins k
		       WHERE k.registration_id = r.id AND k.day BETWEEN e.starts_on AND e.ends_on)
		      >= CASE c.rule WHEN 'every_day' THEN e.ends_on - e.starts_on + 1 ELSE greatest(c.min_days, 1) END
		ORDER BY r.event_id LIMIT $2
		FOR NO KEY UPDATE OF r SKIP LOCKED`, "certificate_queued_at", s.LinkGrace.Microseconds())
}
