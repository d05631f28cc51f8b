package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

// TestTheStoresClockIsTheOnlyClock moves the store's clock far from the
// database's and checks that everything a registration and its email
// stamp or compare follows it.
func TestTheStoresClockIsTheOnlyClock(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(0)
	now := time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)
	r.st.Now = func() time.Time { return now }
	reg := r.signUp(ev, now)

	var stamps struct {
		Updated   time.Time `db:"updated"`
		Queued    time.Time `db:"queued"`
		Due       time.Time `db:"due"`
		TokenMade time.Time `db:"token_made"`
	}
	err := r.db.GetContext(r.ctx, &stamps, `
		SELECT r.updated_at AS updated, e.created_at AS queued, e.next_attempt_at AS due, t.created_at AS token_made
		FROM registrations r JOIN emails e ON e.registration_id = r.id
		JOIN registration_tokens t ON t.registration_id = r.id WHERE r.id = $1`, reg.ID)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]time.Time{"registration updated": stamps.Updated, "email queued": stamps.Queued,
		"email due": stamps.Due, "link token made": stamps.TokenMade} {
		if !got.Equal(now) {
			t.Errorf("%s at %s, want the store's time %s", name, got.UTC(), now)
		}
	}

	t.Run("an email is due by the store's clock", func(t *testing.T) {
		r.st.Now = func() time.Time { return now.Add(-time.Minute) }
		if rows, err := r.st.ClaimDue(r.ctx, 10, time.Minute); err != nil || len(rows) != 0 {
			t.Fatalf("a minute before it was queued, ClaimDue = %d rows, %v; want none", len(rows), err)
		}
		r.st.Now = func() time.Time { return now }
		rows, err := r.st.ClaimDue(r.ctx, 10, time.Minute)
		if err != nil || len(rows) != 1 {
			t.Fatalf("ClaimDue = %d rows, %v; want the email", len(rows), err)
		}
		if err := r.st.MarkSent(r.ctx, []int64{rows[0].ID}); err != nil {
			t.Fatal(err)
		}
		var sent time.Time
		if err := r.db.GetContext(r.ctx, &sent, `SELECT sent_at FROM emails WHERE id = $1`, rows[0].ID); err != nil || !sent.Equal(now) {
			t.Errorf("sent at %s (%v), want %s", sent.UTC(), err, now)
		}
	})
	t.Run("the hourly allowance of a repeated address runs on the store's clock", func(t *testing.T) {
		again := func() {
			t.Helper()
			if _, err := r.st.Register(r.ctx, ev, r.f.newRegistration(t, ev, person(reg.Email), now)); err != nil {
				t.Fatal(err)
			}
		}
		for range 5 {
			again()
		}
		if n := r.emailCount(reg.ID, domain.EmailAlreadyRegistered); n != domain.MaxEmailsPerAddressHour-1 {
			t.Fatalf("%d repeat emails within the hour, want %d", n, domain.MaxEmailsPerAddressHour-1)
		}
		now = now.Add(61 * time.Minute)
		again()
		if n := r.emailCount(reg.ID, domain.EmailAlreadyRegistered); n != domain.MaxEmailsPerAddressHour {
			t.Errorf("%d repeat emails after the store's clock moved an hour on, want %d", n, domain.MaxEmailsPerAddressHour)
		}
	})
}

// TestARegistrationRequestIsOneStatement holds the registration path to
// what keeps its locks short (docs/PERFORMANCE.md): a new address that
// finds a seat is one statement committed on its own, without a
// transaction around it. When no seat part has a seat, that look is one
// statement and the decision under the event's lock a transaction (lock,
// statement). The first statement sees an address registered before and
// then locks nothing: a repeated address costs one statement more, also on
// its own (registeredAgain), and one cancelled starts afresh in a
// transaction of one statement. The NOTIFY sent after a commit is not
// counted.
func TestARegistrationRequestIsOneStatement(t *testing.T) {
	var statements, transactions atomic.Int64
	db := sqlx.NewDb(sql.OpenDB(countingConnector{dsn: pgtest.NewURL(t), n: &statements, txs: &transactions}), "postgres")
	t.Cleanup(func() { db.Close() })
	f := &fixture{db: db, st: store.New(db), rules: domain.NewRules()}
	f.st.Sealer = newSealer(t)
	f.org = f.organizer(t, "lead@example.org")
	ev := f.event(t, f.org, "egov", func(in *domain.EventInput) { in.Capacity = domain.Some(1) })

	register := func(email string) store.RegisterResult {
		t.Helper()
		res, err := f.st.Register(context.Background(), ev, f.newRegistration(t, ev, person(email), time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name                     string
		do                       func()
		statements, transactions int64
	}{
		{"a new address", func() { register("first@example.org") }, 1, 0},
		{"a new address on the waiting list", func() { register("second@example.org") }, 3, 1},
		{"a repeated address of a full event", func() { register("first@example.org") }, 2, 0},
		{"an address whose registration was cancelled", func() {
			first := register("first@example.org").Registration
			if _, err := f.st.CancelRegistration(context.Background(), f.org.ID, ev.Slug, first.ID, ""); err != nil {
				t.Fatal(err)
			}
			statements.Store(0)
			transactions.Store(0)
			if res := register("first@example.org"); !res.Created || res.Registration.ID != first.ID {
				t.Fatalf("registering again: created %v, id %s; want %s back", res.Created, res.Registration.ID, first.ID)
			}
		}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			statements.Store(0)
			transactions.Store(0)
			tt.do()
			if n := statements.Load(); n != tt.statements {
				t.Errorf("%d statements, want %d", n, tt.statements)
			}
			if n := transactions.Load(); n != tt.transactions {
				t.Errorf("%d transactions, want %d", n, tt.transactions)
			}
		})
	}
}

// countingConnector is lib/pq with the statements it runs counted, prepared
// or not, and the transactions it begins (BEGIN and COMMIT, which lib/pq
// sends itself, are not statements here).
type countingConnector struct {
	dsn    string
	n, txs *atomic.Int64
}

func (c countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := pq.Driver{}.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n, txs: c.txs}, nil
}

func (c countingConnector) Driver() driver.Driver { return pq.Driver{} }

type countingConn struct {
	driver.Conn
	n, txs *atomic.Int64
}

func (c *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, conn: c, query: query}, nil
}

// countingStmt counts each run of a prepared statement.
type countingStmt struct {
	driver.Stmt
	conn  *countingConn
	query string
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.conn.count(s.query)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.conn.count(s.query)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.count(query)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.count(query)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

// count counts a statement, except the wake-up of the mail workers, which
// a Store sends after a commit on a connection of its pool, whenever it
// gets to it.
func (c *countingConn) count(query string) {
	if !strings.Contains(query, "pg_notify") {
		c.n.Add(1)
	}
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.txs.Add(1)
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}
