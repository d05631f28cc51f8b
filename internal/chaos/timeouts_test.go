//go:build linux

package chaos

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// holdLock runs stmt in a transaction of its own and keeps the transaction
// (and so its locks) open until the returned function is called.
func holdLock(t *testing.T, db *sqlx.DB, stmt string, args ...any) (release func()) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, stmt, args...); err != nil {
		_ = tx.Rollback()
		t.Fatalf("%s: %v", stmt, err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			if err := tx.Rollback(); err != nil && err != sql.ErrTxDone {
				t.Errorf("release lock: %v", err)
			}
		}
	}
	t.Cleanup(release)
	return release
}

func TestLockAndStatementTimeoutsAnswer503NotAHang(t *testing.T) {
	parallel(t)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL())
	token := organizerToken(t, e)
	// One server as configured in production (DB_STATEMENT_TIMEOUT sets
	// both statement_timeout and lock_timeout), and one per way a query can
	// be cut short: a setting given in DATABASE_URL wins over
	// DB_STATEMENT_TIMEOUT, which isolates each timeout.
	defaults := startServer(t, "serve(defaults)", e.with("DB_STATEMENT_TIMEOUT", "500ms", "REQUEST_TIMEOUT", "5s"))
	lockTimeout := startServer(t, "serve(lock_timeout)", e.with("DB_STATEMENT_TIMEOUT", "500ms",
		"REQUEST_TIMEOUT", "5s", "DATABASE_URL", dbURL+"&statement_timeout=30000", "WORKER", "false"))
	stmtTimeout := startServer(t, "serve(statement_timeout)", e.with("DB_STATEMENT_TIMEOUT", "500ms",
		"REQUEST_TIMEOUT", "5s", "DATABASE_URL", dbURL+"&lock_timeout=30000", "WORKER", "false"))
	reqTimeout := startServer(t, "serve(request timeout)", e.with("DB_STATEMENT_TIMEOUT", "30s",
		"REQUEST_TIMEOUT", "1s", "WORKER", "false"))
	slug := createEvent(t, defaults.url(), token, eventSpec{slug: "locked"})
	client := newClient(true, 30*time.Second)

	cases := []struct {
		name    string
		lock    string
		srv     *server
		path    string // GET path, or "" to POST a registration
		want    int
		limit   time.Duration
		logWant string // what the server logs as the cause
	}{
		{"with the defaults a registration waiting on a table lock gets 503",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, defaults, "", 503, 1500 * time.Millisecond, "unavailable"},
		{"a registration waiting on a table lock gets 503 from lock_timeout",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, lockTimeout, "", 503, 1500 * time.Millisecond, "55P03"},
		{"reading an event waiting on a table lock gets 503 from lock_timeout",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, lockTimeout, "/api/v1/events/" + slug, 503, 1500 * time.Millisecond, "55P03"},
		{"a registration waiting on the event's row lock gets 503",
			`SELECT 1 FROM events WHERE slug = '` + slug + `' FOR UPDATE`, lockTimeout, "", 503, 1500 * time.Millisecond, "55P03"},
		{"reading an event is not blocked by its row lock",
			`SELECT 1 FROM events WHERE slug = '` + slug + `' FOR UPDATE`, lockTimeout, "/api/v1/events/" + slug, 200, time.Second, ""},
		{"a registration cut by statement_timeout gets 503",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, stmtTimeout, "", 503, 1500 * time.Millisecond, "57014"},
		{"a registration cut by REQUEST_TIMEOUT gets 503",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, reqTimeout, "", 503, 2 * time.Second, "unavailable"},
		{"readiness stays 200 while a table is locked: the database answers",
			`LOCK TABLE events IN ACCESS EXCLUSIVE MODE`, defaults, "/readyz", 200, time.Second, ""},
	}
	t.Log("injecting: locks held by another session (LOCK TABLE events IN ACCESS EXCLUSIVE MODE; SELECT … FOR UPDATE " +
		"on the event row) with DB_STATEMENT_TIMEOUT=500ms, lock_timeout alone, statement_timeout alone, and REQUEST_TIMEOUT=1s")
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			release := holdLock(t, db, c.lock)
			defer release()
			var r reply
			if c.path == "" {
				r = register(context.Background(), client, c.srv.url(), slug, fmt.Sprintf("locked-%02d@example.org", i))
			} else {
				r = get(context.Background(), client, c.srv.url()+c.path)
			}
			if r.err != nil {
				t.Fatalf("no answer: %v", r.err)
			}
			t.Logf("found: %d in %s (Retry-After %q)", r.status, r.took.Round(time.Millisecond), r.retryAfter)
			if r.status != c.want {
				t.Errorf("status %d, want %d", r.status, c.want)
			}
			if c.want == http.StatusServiceUnavailable && r.retryAfter == "" {
				t.Errorf("503 without Retry-After")
			}
			if r.took > c.limit {
				t.Errorf("answered after %s, want within %s", r.took.Round(time.Millisecond), c.limit)
			}
			if c.logWant != "" && !c.srv.logContains(c.logWant) {
				t.Errorf("%s did not log %q as the cause", c.srv.name, c.logWant)
			}
		})
	}

	t.Run("a client that gives up while its query waits is logged as 499, not as an internal error", func(t *testing.T) {
		// The event's row lock lets the handler read the body first: only
		// then does the HTTP server watch the connection for a hang-up.
		release := holdLock(t, db, `SELECT 1 FROM events WHERE slug = $1 FOR UPDATE`, slug)
		defer release()
		impatient := newClient(false, 300*time.Millisecond)
		r := register(context.Background(), impatient, reqTimeout.url(), slug, "impatient@example.org")
		if r.err == nil {
			t.Fatalf("the client got %d before giving up", r.status)
		}
		if !reqTimeout.logContains(`"msg":"client gone"`) || !reqTimeout.logContains(`"status":499`) {
			t.Errorf("%s did not log the abandoned request as a 499", reqTimeout.name)
		}
		t.Logf("injected: a client that hangs up after 300ms while its registration waits for the event's row lock; "+
			"found: client error %q, server logged 499", r.err)
	})

	// Without the locks everything works again, mail included.
	for i, s := range []*server{defaults, lockTimeout, stmtTimeout, reqTimeout} {
		r := register(context.Background(), client, s.url(), slug, fmt.Sprintf("after-%02d@example.org", i))
		if r.err != nil || r.status != http.StatusAccepted {
			t.Errorf("%s after the locks: %d %v", s.name, r.status, r.err)
		}
	}
	waitOutboxEmpty(t, db, 15*time.Second)
	rows := emailRows(t, db)
	deliveryCheck(t, rows, deliveredMail(t, mail), onceEach)
	checkNoOrphans(t, db)
	for _, r := range rows {
		if !strings.HasPrefix(r.Recipient, "after-") {
			t.Errorf("email to %s queued by a request that answered 503", r.Recipient)
		}
	}
}
