// Package store keeps attend's data in PostgreSQL. All SQL lives here, with
// explicit column lists; database errors become domain errors at this edge.
//
// Locking: a use case that changes seats locks the event row first, then
// the event's seat lock, then seat parts in part order, then registration
// rows, always in that order; a registration that finds a seat locks only
// the one part it takes it from, and one joining a full event's waiting
// list holds the seat lock shared (seats.go). Rows are locked FOR NO KEY
// UPDATE, never FOR UPDATE: ids never change, and the weaker lock does not
// conflict with the key-share locks that foreign-key checks take when an
// email, token or check-in row is inserted, which would otherwise invert
// the order and deadlock. Where an order cannot be kept within one
// statement (a registration's insert checks the event as a foreign key
// after its seat part is locked), a deadlock PostgreSQL detects aborts one
// transaction; the use cases that lock seats run it again (inTxRetried).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/attend/attend/domain"
)

// Store is the database behind every use case. It is safe for concurrent use.
type Store struct {
	db *sqlx.DB
	// Now is the one clock: a transaction reads it once as it begins
	// (dbTx), and statements outside one take it as an argument, never the
	// database's now(). Tests may replace it before use.
	Now func() time.Time
	// Sealer seals link tokens queued in the outbox; required to queue
	// emails with links.
	Sealer Sealer
	// MailHost is the right-hand side of generated Message-IDs.
	MailHost string
	// LinkGrace is how long emailed links keep working after an event ends.
	LinkGrace time.Duration
	// EventCacheTTL, when positive, is how long RegistrationEvent may serve
	// an event from memory.
	EventCacheTTL time.Duration
	// InvitationTTL is how long the link of an invitation to an event's
	// team works.
	InvitationTTL time.Duration
	// Delegations name the delegations in the statistics; nil means the
	// built-in ones.
	Delegations *domain.Delegations
	// MessagesPerAddressHour bounds the organizer messages of one event an
	// address gets per hour; 0 means domain.DefaultMessagesPerAddressHour.
	MessagesPerAddressHour int
	// WakeGap is the least time between two NOTIFYs that wake the mail
	// workers of other processes (wake.go); zero sends them back to back.
	WakeGap time.Duration

	// RegisterBatchSize bounds the participants' registrations written in
	// one statement when they arrive faster than they are written
	// (batch.go); 0 means DefaultRegisterBatchSize, 1 writes each alone.
	RegisterBatchSize int
	// RegisterBatches bounds the batches of registrations written at once;
	// 0 means DefaultRegisterBatches.
	RegisterBatches int
	// RegisterBatchObserver, when set, hears of each statement of
	// participants' registrations the batches write: how many requests it
	// writes (1: alone) and the longest any of them waited for it.
	RegisterBatchObserver func(requests int, waited time.Duration)

	batcher registerBatcher
	events  eventCache
	wake    mailWake
	stmts   preparedStatements
}

func (s *Store) delegations() *domain.Delegations {
	if s.Delegations == nil {
		return domain.BuiltinDelegations()
	}
	return s.Delegations
}

// Sealer encrypts secrets at rest (see internal/seal).
type Sealer interface {
	Seal(plain string) (string, error)
	Open(sealed string) (string, error)
}

// New wraps an open database.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, Now: time.Now, MailHost: "attend.invalid", LinkGrace: 7 * 24 * time.Hour,
		InvitationTTL: defaultInvitationTTL, WakeGap: DefaultWakeGap}
}

// Options tune the connection pool.
type Options struct {
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// Warm opens the idle connections at once (see warm), for servers.
	Warm bool
}

// Open connects to PostgreSQL and checks the connection.
//
// Parameters are sent in lib/pq's binary_parameters mode: a query with
// arguments then takes one round trip instead of two (lib/pq otherwise
// asks the server to describe the statement first), which is a third of
// the round trips of a registration (docs/PERFORMANCE.md).
func Open(ctx context.Context, url string, opt Options) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", withDefaults(url, "binary_parameters", "yes"))
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	if opt.MaxOpenConns > 0 {
		db.SetMaxOpenConns(opt.MaxOpenConns)
	}
	if opt.MaxIdleConns > 0 {
		db.SetMaxIdleConns(opt.MaxIdleConns)
	}
	if opt.ConnMaxLifetime > 0 {
		db.SetConnMaxLifetime(opt.ConnMaxLifetime)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	if opt.Warm {
		n := opt.MaxIdleConns
		if opt.MaxOpenConns > 0 {
			n = min(n, opt.MaxOpenConns)
		}
		warmCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		warm(warmCtx, db, n)
		cancel()
	}
	return db, nil
}

// warm opens the n connections the pool keeps idle now rather than during
// the first rush after start, when each would cost a request the set-up of
// a PostgreSQL backend (the first registrations of a burst waited tens of
// milliseconds each for it; docs/PERFORMANCE.md). It is best effort: a
// server that refuses more connections leaves the pool smaller until later.
func warm(ctx context.Context, db *sqlx.DB, n int) {
	conns := make([]*sql.Conn, 0, n)
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
}

// DB exposes the handle for health checks and migrations.
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}

// pgCode returns the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) pqerror.Code {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func isUniqueViolation(err error, constraint string) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505" && (constraint == "" || pe.Constraint == constraint)
}

// unavailable marks errors that mean "the database is not there right now"
// (connection refused, shutting down, timeouts) so the API answers 503 and
// clients retry, instead of a 500.
func unavailable(err error) error {
	if err == nil {
		return nil
	}
	if isUnavailable(err) {
		return &wrapped{code: domain.EUnavailable, msg: "the database is unavailable, try again shortly", err: err}
	}
	return err
}

func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	// Class() slices the code, so it must not be called on the empty code
	// of an error that did not come from PostgreSQL ("sql: database is
	// closed", a refused connection): that panics.
	if code := pgCode(err); code != "" {
		switch code.Class() {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
			return true
		}
	}
	switch pgCode(err) {
	case "55P03", "40001", "40P01": // lock_not_available, serialization_failure, deadlock
		return true
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, pq.ErrChannelNotOpen) || errors.Is(err, driver.ErrBadConn)
}

// wrapped is a domain error that keeps its cause for the logs.
type wrapped struct {
	code domain.Code
	msg  string
	err  error
}

func (w *wrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w *wrapped) Unwrap() []error {
	return []error{&domain.Error{Code: w.code, Message: w.msg}, w.err}
}

// WithTimeouts adds statement and lock timeouts to a connection string, so a
// stuck query fails (and the API answers 503) instead of holding a request
// forever. Settings already in the string win.
func WithTimeouts(dsn string, d time.Duration) string {
	ms := fmt.Sprintf("%d", d.Milliseconds())
	return withDefaults(dsn, "statement_timeout", ms, "lock_timeout", ms)
}

// withDefaults adds the key/value pairs kv to a connection string (URL or
// key=value form) where the string does not set them already.
func withDefaults(dsn string, kv ...string) string {
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		for i := 0; i+1 < len(kv); i += 2 {
			if q.Get(kv[i]) == "" {
				q.Set(kv[i], kv[i+1])
			}
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if !strings.Contains(dsn, kv[i]+"=") {
			dsn += " " + kv[i] + "=" + kv[i+1]
		}
	}
	return dsn
}
