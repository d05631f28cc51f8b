package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
)

// dbTx is one transaction and the moment it happens at. Its statements take
// their time from now, read once from Store.Now when it begins, never from
// the database's now(): a test that sets Store.Now moves every time a
// use case stamps or compares, and one transaction never sees two
// different "now"s. (Columns keep DEFAULT now() for rows written outside
// the store, such as the bench's generated data.)
type dbTx struct {
	*sqlx.Tx
	now time.Time
	// queuedEmail is set by statements that may have queued email: the
	// mail workers are woken once the transaction has committed.
	queuedEmail bool
}

// inTx runs fn in one transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *dbTx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return unavailable(fmt.Errorf("begin: %w", err))
	}
	dtx := &dbTx{Tx: tx, now: s.Now()}
	if err := fn(dtx); err != nil {
		_ = tx.Rollback() // the original error is the one worth reporting
		return err
	}
	if err := tx.Commit(); err != nil {
		return unavailable(fmt.Errorf("commit: %w", err))
	}
	if dtx.queuedEmail {
		s.wakeWorkers()
	}
	return nil
}

// statement numbers a statement's arguments as its text is put together,
// so that pieces several statements share (the outbox's, outboxCTEs) can
// name their own arguments wherever they end up.
type statement struct{ args []any }

// arg adds v and returns its placeholder.
func (st *statement) arg(v any) string {
	st.args = append(st.args, v)
	return "$" + strconv.Itoa(len(st.args))
}
