package store

import (
	"context"
	"fmt"
	"math/rand/v2"
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
		if cerr := ctx.Err(); cerr != nil {
			// The caller left (a client hung up) between the last
			// statement and COMMIT: database/sql rolled the transaction
			// back, and says only that it is over (sql.ErrTxDone).
			return unavailable(fmt.Errorf("commit: %w", cerr))
		}
		return unavailable(fmt.Errorf("commit: %w", err))
	}
	if dtx.queuedEmail {
		s.wakeWorkers()
	}
	return nil
}

// txTries bounds how often inTxRetried runs a transaction that PostgreSQL
// aborted for a deadlock or a serialization failure.
const txTries = 3

// inTxRetried is inTx for the use cases that lock the event, its seat
// parts and registrations, where PostgreSQL may find a deadlock it cannot
// rule out by lock order alone (a foreign-key check takes a key-share lock
// on the event inside a statement whose part lock came first): the
// transaction it aborts (deadlock_detected, serialization_failure) runs
// again, up to txTries times in all, after a short random pause so the two
// do not meet again in step. fn must be safe to run again: it sets, never
// accumulates, what it leaves outside the transaction.
func (s *Store) inTxRetried(ctx context.Context, fn func(tx *dbTx) error) error {
	return retried(ctx, func() error { return s.inTx(ctx, fn) })
}

// retried runs run, a transaction or a statement committed on its own,
// again while PostgreSQL aborts it for its timing with another one
// (inTxRetried).
func retried(ctx context.Context, run func() error) error {
	for try := 1; ; try++ {
		err := run()
		if try == txTries || !retryable(err) {
			return err
		}
		pause := time.Duration(try) * (5*time.Millisecond + rand.N(20*time.Millisecond))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

// retryable says whether PostgreSQL aborted the transaction only for its
// timing with another one, so that running it again may succeed.
func retryable(err error) bool {
	switch pgCode(err) {
	case "40P01", "40001": // deadlock_detected, serialization_failure
		return true
	}
	return false
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
