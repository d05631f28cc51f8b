package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// TestADeadlockedTransactionRunsAgain provokes a deadlock PostgreSQL
// detects between a use case and another transaction that takes the same
// locks in the opposite order: the other transaction holds one lock, waits
// until the use case is waiting for it, and then asks for a lock the use
// case holds. PostgreSQL aborts the use case, which waited first (its
// deadlock check runs first); the store runs it again, and the caller sees
// no error. Should the other transaction be the one aborted instead, the
// round is repeated.
func TestADeadlockedTransactionRunsAgain(t *testing.T) {
	cases := []struct {
		name string
		// first is the other transaction's first lock, then the use case
		// runs, then second is the lock the use case holds.
		first, second string
		run           func(r *storeRig, ev *domain.Event) error
	}{{
		name:   "a capacity change, which locks the event and then every seat part",
		first:  `SELECT part FROM seat_parts WHERE event_id = $1 AND part = 0 FOR UPDATE`,
		second: `SELECT id FROM events WHERE id = $1 FOR NO KEY UPDATE`,
		run: func(r *storeRig, ev *domain.Event) error {
			_, err := r.st.UpdateEvent(r.ctx, r.org.ID, ev.Slug, func(e *domain.Event) error {
				e.Capacity = ptr(*e.Capacity + 1)
				return nil
			})
			return err
		},
	}, {
		name:   "a registration, which locks a seat part and then checks the event as a foreign key",
		first:  `SELECT id FROM events WHERE id = $1 FOR UPDATE`,
		second: `SELECT part FROM seat_parts WHERE event_id = $1 ORDER BY part FOR UPDATE`,
		run: func(r *storeRig, ev *domain.Event) error {
			_, err := r.st.Register(r.ctx, ev, r.newRegistration(ev, time.Now()))
			return err
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newStoreRig(t)
			ev := r.newEvent(50)
			for round := 1; ; round++ {
				if round > 5 {
					t.Fatal("PostgreSQL never chose the use case to abort")
				}
				otherAborted, useCaseErr := r.deadlock(ev, tc.first, tc.second, func() error { return tc.run(r, ev) })
				if otherAborted {
					continue
				}
				if useCaseErr != nil {
					t.Fatalf("the use case failed: %v", useCaseErr)
				}
				break
			}
			books, err := readSeatBooks(r.ctx, r.db, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := books.check(); err != nil {
				t.Error(err)
			}
		})
	}
}

// deadlock runs useCase against a transaction that locks first, waits
// until useCase waits, and locks second. It says whether PostgreSQL
// aborted the other transaction instead, and how useCase ended.
func (r *storeRig) deadlock(ev *domain.Event, first, second string, useCase func() error) (otherAborted bool, useCaseErr error) {
	r.t.Helper()
	ctx := context.Background()
	other, err := r.db.BeginTxx(ctx, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	defer func() { _ = other.Rollback() }()
	var otherPID int
	if err := other.GetContext(ctx, &otherPID, `SELECT pg_backend_pid()`); err != nil {
		r.t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, first, ev.ID); err != nil {
		r.t.Fatalf("first lock: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- useCase() }()
	for waiting := false; !waiting; {
		err := r.db.GetContext(ctx, &waiting, `
			SELECT EXISTS (SELECT FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE NOT l.granted AND a.datname = current_database() AND l.pid <> $1)`, otherPID)
		if err != nil {
			r.t.Fatal(err)
		}
		select {
		case err := <-done:
			r.t.Fatalf("the use case did not wait for the first lock: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	_, err = other.ExecContext(ctx, second, ev.ID)
	var pe *pq.Error
	if errors.As(err, &pe) && pe.Code == "40P01" {
		_ = other.Rollback()
		return true, <-done
	}
	if err != nil && !errors.Is(err, sql.ErrTxDone) {
		r.t.Fatalf("second lock: %v", err)
	}
	if err := other.Commit(); err != nil {
		r.t.Fatal(err)
	}
	return false, <-done
}
