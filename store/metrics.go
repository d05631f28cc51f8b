package store

import (
	"context"
	"fmt"
	"time"
)

// OutboxDepth is the outbox as an operator watches it: how many emails
// wait and how late the oldest one is.
type OutboxDepth struct {
	// Due emails may be claimed now: queued and due, or claimed by a
	// worker whose lease ran out.
	Due int `db:"due"`
	// Scheduled emails wait for a later attempt (after a temporary failure).
	Scheduled int `db:"scheduled"`
	// Sending emails are claimed by a worker under a live lease.
	Sending int `db:"sending"`
	// OldestDue is how long the longest-waiting due email has been due;
	// zero when none is.
	OldestDue time.Duration `db:"-"`
}

// OutboxDepth reads the outbox's depth in one statement over the rows not
// yet sent or given up, which the emails_due index covers: cheap enough to
// run on every scrape, and never drifting as counters kept in memory would.
// Sent and failed rows, which accumulate, are not counted.
func (s *Store) OutboxDepth(ctx context.Context) (OutboxDepth, error) {
	now := s.Now()
	var row struct {
		OutboxDepth
		OldestDueAt *time.Time `db:"oldest_due_at"`
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT count(*) FILTER (WHERE leased) AS sending,
		       count(*) FILTER (WHERE NOT leased AND next_attempt_at <= $1) AS due,
		       count(*) FILTER (WHERE NOT leased AND next_attempt_at > $1) AS scheduled,
		       min(next_attempt_at) FILTER (WHERE NOT leased AND next_attempt_at <= $1) AS oldest_due_at
		FROM (SELECT next_attempt_at, coalesce(locked_until >= $1, false) AS leased
		      FROM emails WHERE status IN ('queued', 'sending')) AS waiting`, now)
	if err != nil {
		return OutboxDepth{}, fmt.Errorf("store: outbox depth: %w", unavailable(err))
	}
	d := row.OutboxDepth
	if row.OldestDueAt != nil {
		d.OldestDue = max(now.Sub(*row.OldestDueAt), 0)
	}
	return d, nil
}
