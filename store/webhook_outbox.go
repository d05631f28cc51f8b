package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attend/attend/domain"
)

// OutgoingWebhook is a claimed delivery with what sending it needs.
type OutgoingWebhook struct {
	ID           string `db:"id"`
	EndpointID   int64  `db:"endpoint_id"`
	EventID      int64  `db:"event_id"`
	Type         string `db:"type"`
	Body         string `db:"body"`
	Attempts     int    `db:"attempts"`
	URL          string `db:"url"`
	SealedSecret string `db:"secret_sealed"`
}

// ClaimWebhooks leases up to limit due deliveries of active endpoints to the
// calling sender, as ClaimDue does for emails: SKIP LOCKED lets several
// senders claim at once without taking the same row, and a row whose lease
// ran out (its sender died) is due again.
func (s *Store) ClaimWebhooks(ctx context.Context, limit int, lease time.Duration) ([]*OutgoingWebhook, error) {
	now := s.Now()
	var out []*OutgoingWebhook
	err := s.db.SelectContext(ctx, &out, `
		UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, locked_until = $3,
			last_attempt_at = $2
		FROM webhook_endpoints w
		WHERE w.id = d.endpoint_id AND d.id IN (
			SELECT x.id FROM webhook_deliveries x
			JOIN webhook_endpoints xw ON xw.id = x.endpoint_id AND xw.active
			WHERE x.status IN ('queued', 'sending') AND x.next_attempt_at <= $2
			  AND (x.locked_until IS NULL OR x.locked_until < $2)
			ORDER BY x.next_attempt_at, x.created_at
			LIMIT $1
			FOR UPDATE OF x SKIP LOCKED)
		RETURNING d.id, d.endpoint_id, d.event_id, d.type, d.payload::text AS body, d.attempts,
			w.url, w.secret_sealed`, limit, now, now.Add(lease))
	if err != nil {
		return nil, fmt.Errorf("store: claim webhooks: %w", unavailable(err))
	}
	return out, nil
}

// WebhookOutcome is how one attempt went.
type WebhookOutcome struct {
	Delivered  bool
	StatusCode int    // 0 when there was no answer
	Response   string // the start of the answer's body
	Error      string // why there was no answer, or why it is a failure
	// Next is when to try again after a failure; zero gives up.
	Next time.Time
}

// RecordWebhook stores an attempt's outcome, in one transaction with the
// endpoint's count of failures. A success starts the count afresh; the
// failure that makes disableAfter in a row (across the endpoint's
// deliveries) disables the endpoint and queues an
// email to its owner. It reports whether this attempt disabled it.
func (s *Store) RecordWebhook(ctx context.Context, d *OutgoingWebhook, o WebhookOutcome, disableAfter int) (bool, error) {
	disabled := false
	err := s.inTx(ctx, func(tx *dbTx) error {
		status, next := domain.DeliveryDelivered, any(nil)
		var delivered any = tx.now
		if !o.Delivered {
			status, delivered = domain.DeliveryFailed, nil
			if !o.Next.IsZero() {
				status, next = domain.DeliveryQueued, o.Next
			}
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET status = $2, locked_until = NULL,
				next_attempt_at = coalesce($3, next_attempt_at), delivered_at = $4,
				last_status_code = $5, last_response = $6, last_error = $7
			WHERE id = $1 AND status = 'sending'`,
			d.ID, status, next, delivered, nullIfZero(o.StatusCode), nullIfEmpty(cleanText(o.Response, 1000)),
			nullIfEmpty(cleanText(o.Error, 1000)))
		if err != nil {
			return fmt.Errorf("store: record webhook: %w", unavailable(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // erased or deleted meanwhile
		}
		if o.Delivered {
			_, err := tx.ExecContext(ctx, `
				UPDATE webhook_endpoints SET consecutive_failures = 0, failing_since = NULL
				WHERE id = $1 AND consecutive_failures > 0`, d.EndpointID)
			if err != nil {
				return fmt.Errorf("store: record webhook success: %w", unavailable(err))
			}
			return nil
		}
		err = tx.GetContext(ctx, &disabled, `
			UPDATE webhook_endpoints w SET consecutive_failures = w.consecutive_failures + 1,
				failing_since = coalesce(w.failing_since, $2),
				active = w.active AND w.consecutive_failures + 1 < $3,
				disabled_at = CASE WHEN w.active AND w.consecutive_failures + 1 >= $3 THEN $2 ELSE w.disabled_at END,
				updated_at = $2
			FROM (SELECT id, active FROM webhook_endpoints WHERE id = $1 FOR NO KEY UPDATE) old
			WHERE w.id = old.id
			RETURNING old.active AND NOT w.active`, d.EndpointID, tx.now, disableAfter)
		if err != nil {
			return fmt.Errorf("store: record webhook failure: %w", unavailable(err))
		}
		if disabled {
			return s.queueWebhookDisabled(ctx, tx, d)
		}
		return nil
	})
	return disabled, err
}

// queueWebhookDisabled emails the owner of an endpoint that was just
// disabled, about the event of the delivery that failed last (an email
// belongs to an event: its language and layout come from it).
func (s *Store) queueWebhookDisabled(ctx context.Context, tx *dbTx, d *OutgoingWebhook) error {
	payload := EmailPayload{WebhookURL: d.URL}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO emails (event_id, kind, language, recipient, recipient_name, payload, message_id, created_at, next_attempt_at)
		SELECT e.id, $3, e.languages[1], o.email, o.name, $4::jsonb, $5, $6, $6
		FROM webhook_endpoints w JOIN organizers o ON o.id = w.organizer_id, events e
		WHERE w.id = $1 AND e.id = $2`,
		d.EndpointID, d.EventID, domain.EmailWebhookDisabled, payload, domain.NewMessageID(s.MailHost, tx.now), tx.now)
	if err != nil {
		return fmt.Errorf("store: queue webhook email: %w", unavailable(err))
	}
	tx.queuedEmail = true
	return nil
}

// DeleteOldWebhookDeliveries removes delivered and failed deliveries
// older than keep (WEBHOOK_RETENTION), which may carry personal data and
// would otherwise pile up; queued ones wait for their endpoint whatever
// their age.
func (s *Store) DeleteOldWebhookDeliveries(ctx context.Context, keep time.Duration) (int, error) {
	res, err := s.db.ExecContext(ctx, `
		DELETE FROM webhook_deliveries WHERE status IN ('delivered', 'failed') AND created_at < $1`, s.Now().Add(-keep))
	if err != nil {
		return 0, fmt.Errorf("store: delete old webhook deliveries: %w", unavailable(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// cleanText makes an endpoint's answer storable: valid UTF-8 without NUL
// bytes (PostgreSQL refuses both), at most n bytes.
func cleanText(s string, n int) string {
	return truncate(strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", ""), n)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(n int) any {
	if n == 0 {
		return nil
	}
	return n
}
