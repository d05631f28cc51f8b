package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"
)

// ClearForReseed readies an event for a loader that registers a fixed list
// of people as confirmed, again and again (attend demo), whatever became of
// them since the last load. Under the event's row lock it deletes
//
//   - the event's erased registrations: their people can no longer be
//     recognised, so loading again would add them a second time, and
//   - the registrations of the given addresses that are not confirmed
//     (waitlisted, cancelled, expired or pending), which the loader would
//     otherwise find in the way,
//
// with their check-ins, links and emails, and recounts the seats held. A
// confirmed registration of the list is kept, check-ins and all. It returns
// how many registrations it deleted. Only seed data is cleared this way: an
// erased registration of real people keeps its place in the statistics.
func (s *Store) ClearForReseed(ctx context.Context, eventID int64, emails []string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`, eventID); err != nil {
			return fmt.Errorf("store: lock event: %w", unavailable(err))
		}
		if err := holdSeats(ctx, tx, eventID, false); err != nil { // the recount below
			return err
		}
		err := tx.GetContext(ctx, &n, `
			WITH gone AS (
				DELETE FROM registrations
				WHERE event_id = $1
				  AND (erased_at IS NOT NULL OR (lower(email) = ANY($2::text[]) AND status <> 'confirmed'))
				RETURNING 1)
			SELECT count(*) FROM gone`, eventID, pq.StringArray(lowered(emails)))
		if err != nil {
			return fmt.Errorf("store: clear registrations: %w", unavailable(err))
		}
		if n == 0 {
			return nil
		}
		return recountSeats(ctx, tx, eventID)
	})
	return n, err
}

func lowered(emails []string) []string {
	out := make([]string, len(emails))
	for i, e := range emails {
		out[i] = strings.ToLower(e)
	}
	return out
}
