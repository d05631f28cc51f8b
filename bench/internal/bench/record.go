package bench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// recordingDriver is lib/pq with every statement and its arguments noted,
// so the bench can EXPLAIN exactly what a handler ran, whatever the store's
// code looks like today.
type recordingDriver struct {
	mu    sync.Mutex
	calls []recordedCall
}

type recordedCall struct {
	Query string
	Args  []any
}

const recordingDriverName = "attend-bench-recording"

var recorder = &recordingDriver{}

func init() {
	sql.Register(recordingDriverName, recorder)
	sqlx.BindDriver(recordingDriverName, sqlx.DOLLAR)
}

// openRecording opens dsn through the recording driver.
func openRecording(dsn string) (*sqlx.DB, error) {
	return sqlx.Open(recordingDriverName, dsn)
}

// take returns and forgets the calls recorded so far.
func (d *recordingDriver) take() []recordedCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.calls
	d.calls = nil
	return out
}

func (d *recordingDriver) record(query string, args []driver.NamedValue) {
	vals := make([]any, len(args))
	for i, a := range args {
		vals[i] = a.Value
	}
	d.mu.Lock()
	d.calls = append(d.calls, recordedCall{Query: query, Args: vals})
	d.mu.Unlock()
}

func (d *recordingDriver) Open(name string) (driver.Conn, error) {
	c, err := pq.Driver{}.Open(name)
	if err != nil {
		return nil, err
	}
	return &recordingConn{Conn: c, d: d}, nil
}

type recordingConn struct {
	driver.Conn
	d *recordingDriver
}

func (c *recordingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.d.record(query, args)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, query, args)
}

func (c *recordingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.d.record(query, args)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, query, args)
}

func (c *recordingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

func (c *recordingConn) Ping(ctx context.Context) error {
	return c.Conn.(driver.Pinger).Ping(ctx)
}

func (c *recordingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *recordingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// explained is one statement with its plan.
type explained struct {
	Query   string
	Plan    string
	SeqScan []string // relations read by a sequential scan
}

// explain runs EXPLAIN (ANALYZE, BUFFERS) of each call with its own
// arguments, inside a transaction that is rolled back (ANALYZE executes the
// statement, and some statements write, such as the token's last use).
func explain(ctx context.Context, db *sql.DB, calls []recordedCall) ([]explained, error) {
	var out []explained
	for _, c := range calls {
		q := strings.TrimSpace(c.Query)
		if q == "" || strings.HasPrefix(strings.ToUpper(q), "BEGIN") || strings.HasPrefix(strings.ToUpper(q), "COMMIT") {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		rows, err := tx.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+q, c.Args...)
		if err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("bench: explain %s: %w", truncate(q, 80), err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				rows.Close()
				tx.Rollback()
				return nil, err
			}
			plan = append(plan, line)
		}
		rows.Close()
		if err := errors.Join(rows.Err(), tx.Rollback()); err != nil {
			return nil, err
		}
		e := explained{Query: q, Plan: strings.Join(plan, "\n")}
		for _, l := range plan {
			if _, rel, ok := strings.Cut(l, "Seq Scan on "); ok {
				e.SeqScan = append(e.SeqScan, strings.Fields(rel)[0])
			}
		}
		out = append(out, e)
	}
	return out, nil
}
