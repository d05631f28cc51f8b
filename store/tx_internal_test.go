package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/attend/attend/internal/pgtest"
)

// TestATransactionWhoseCallerLeftBeforeCommitSaysSo is a client hanging up
// after a transaction's last statement: the transaction is rolled back,
// and the error says the caller left (a 499), not that the commit failed
// (a 500 and an alert).
func TestATransactionWhoseCallerLeftBeforeCommitSaysSo(t *testing.T) {
	db, err := sqlx.Open("postgres", pgtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(db)
	ctx, cancel := context.WithCancel(context.Background())
	err = s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE left_behind (id int)`); err != nil {
			return err
		}
		cancel()
		// database/sql rolls back on its own goroutine; wait for it, so
		// that COMMIT finds the transaction over (sql.ErrTxDone), as a
		// client that left a little earlier makes it.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			if _, err := tx.ExecContext(context.Background(), `SELECT 1`); errors.Is(err, sql.ErrTxDone) {
				return nil
			}
		}
		t.Fatal("database/sql never rolled back the transaction of a cancelled context")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("commit after the caller left: %v, want context.Canceled", err)
	}
	var exists bool
	if err := db.Get(&exists, `SELECT to_regclass('left_behind') IS NOT NULL`); err != nil || exists {
		t.Errorf("the transaction was committed (%v)", err)
	}
}
