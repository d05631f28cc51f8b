package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jmoiron/sqlx"
)

// maxPrepared bounds the statements a Store keeps prepared. Only the hot
// path's statements are prepared (a registration's has a handful of
// texts: with or without email, may or may not be full), so the bound is
// never reached in practice; beyond it a statement simply runs unprepared.
const maxPrepared = 32

// preparedStatements are statements prepared once per pooled connection
// and kept, so that PostgreSQL parses, analyses and plans them once per
// connection instead of once per request. A registration's statement is a
// chain of CTEs over five tables; parsing and planning it was about a
// third of PostgreSQL's CPU per registration (docs/PERFORMANCE.md). The
// texts must be built from placeholders only: a value in the text would
// make every request a new statement.
type preparedStatements struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
	// ahead holds the keys prepareAhead has prepared.
	ahead map[any]bool
}

// prepared returns query prepared on s's pool, preparing it first when
// prepare is set and the cache has room; else nil, and the caller runs the
// query unprepared. database/sql prepares it again on each connection it
// runs on, and after a connection is replaced.
//
// Only a caller holding no connection may prepare: preparing takes a
// connection from the pool, and callers inside transactions, each holding
// one, could otherwise take all of them and wait for one more forever.
// The lock is not held while preparing, for the same reason; the text is
// marked as being prepared (a nil entry), so that it is prepared once and
// the others run it unprepared meanwhile.
func (s *Store) prepared(ctx context.Context, query string, prepare bool) (*sqlx.Stmt, error) {
	p := &s.stmts
	p.mu.Lock()
	st, ok := p.m[query]
	if ok || !prepare || len(p.m) >= maxPrepared {
		p.mu.Unlock()
		return st, nil
	}
	if p.m == nil {
		p.m = map[string]*sqlx.Stmt{}
	}
	p.m[query] = nil
	p.mu.Unlock()

	st, err := s.db.PreparexContext(ctx, query)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		delete(p.m, query) // the next caller tries again
		return nil, fmt.Errorf("prepare: %w", err)
	}
	p.m[query] = st
	return st, nil
}

// getPrepared runs query for one row scanned into dest, prepared where it
// can be (prepared): within tx when it is not nil, else on its own
// (committed by itself).
func (s *Store) getPrepared(ctx context.Context, tx *dbTx, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, query, tx == nil)
	if err != nil {
		return err
	}
	switch {
	case st == nil && tx != nil:
		return tx.GetContext(ctx, dest, query, args...)
	case st == nil:
		return s.db.GetContext(ctx, dest, query, args...)
	case tx != nil:
		return tx.StmtxContext(ctx, st).GetContext(ctx, dest, args...)
	default:
		return st.GetContext(ctx, dest, args...)
	}
}

// selectPrepared runs query on its own (committed by itself) for rows
// scanned into dest, prepared where it can be, as getPrepared does for one
// row.
func (s *Store) selectPrepared(ctx context.Context, dest any, query string, args ...any) error {
	st, err := s.prepared(ctx, query, true)
	if err != nil {
		return err
	}
	if st == nil {
		return s.db.SelectContext(ctx, dest, query, args...)
	}
	return st.SelectContext(ctx, dest, args...)
}

// prepareAhead prepares, once per key, the statement that build makes, for
// a caller about to run it inside a transaction, where it may not prepare
// (prepared). The key stands for the text: build's values do not matter,
// only its placeholders. Preparing is best effort: should it fail, the
// statement runs unprepared and the next caller tries again.
func (s *Store) prepareAhead(ctx context.Context, key any, build func() (string, error)) {
	p := &s.stmts
	p.mu.Lock()
	done := p.ahead[key]
	p.mu.Unlock()
	if done {
		return
	}
	query, err := build()
	if err != nil {
		return
	}
	if st, err := s.prepared(ctx, query, true); err != nil || st == nil {
		return
	}
	p.mu.Lock()
	if p.ahead == nil {
		p.ahead = map[any]bool{}
	}
	p.ahead[key] = true
	p.mu.Unlock()
}
