package admin

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"time"
)

// loginGuard stands between the sign-in form and the password check. It
// has three jobs, and one rule: nobody can keep an organizer out.
//
//   - It limits failed sign-ins per account from one client
//     (LOGIN_RATE_LIMIT) and per client whatever the account
//     (LOGIN_IP_RATE_LIMIT); past either, that client gets 429. A limit
//     never reaches another client, so the right password from a fresh
//     address still works.
//   - It slows an account down instead of locking it: each failure on the
//     account, from any address, makes the next sign-ins for it wait longer
//     before the password is checked (LOGIN_DELAY, doubling), up to
//     LOGIN_DELAY_MAX. Whoever knows the password waits at most that.
//   - It bounds the Argon2id checks running at once
//     (PASSWORD_HASH_CONCURRENCY): each takes 19 MiB, so a burst of failed
//     sign-ins could otherwise take the process's memory into gigabytes.
//     A sign-in waits PASSWORD_HASH_WAIT for a slot, then gets 503.
//
// Limits count failures only: a sign-in reserves its place in both counts
// before the (slow) check, so a burst of concurrent attempts cannot all slip
// under the limit, and gives it back when the password was right or never
// checked. Several door staff behind one venue's address can thus sign in
// as often as they need. Counts are kept per process, as for registrations.
//
// Accounts are the email typed, whether or not such an account exists, so
// that no answer tells who has one.
type loginGuard struct {
	pairLimit, clientLimit int
	window                 time.Duration
	pairs, clients         *windowCounter // reserved and failed sign-ins
	failures               *windowCounter // failed sign-ins per account, from anywhere

	delay, delayMax time.Duration

	slots    chan struct{} // one token per password check running
	slotWait time.Duration
	check    func(password, hash string) bool
}

// errLoginBusy means no hashing slot freed up in time.
var errLoginBusy = errors.New("api: every password check slot is busy")

// loginGuardConfig is what newLoginGuard needs; zero values take the
// defaults of config.Load.
type loginGuardConfig struct {
	pairLimit, clientLimit int
	window                 time.Duration
	delay, delayMax        time.Duration
	concurrency            int
	slotWait               time.Duration
	check                  func(password, hash string) bool
	now                    func() time.Time
}

func newLoginGuard(c loginGuardConfig) *loginGuard {
	orDefault := func(v, def int) int {
		if v <= 0 {
			return def
		}
		return v
	}
	orDefaultDur := func(v, def time.Duration) time.Duration {
		if v <= 0 {
			return def
		}
		return v
	}
	window := orDefaultDur(c.window, 15*time.Minute)
	return &loginGuard{
		pairLimit:   orDefault(c.pairLimit, 5),
		clientLimit: orDefault(c.clientLimit, 20),
		window:      window,
		pairs:       newWindowCounter(window, c.now),
		clients:     newWindowCounter(window, c.now),
		failures:    newWindowCounter(window, c.now),
		delay:       max(c.delay, 0), // 0 is off
		delayMax:    orDefaultDur(c.delayMax, 5*time.Second),
		slots:       make(chan struct{}, orDefault(c.concurrency, runtime.NumCPU())),
		slotWait:    orDefaultDur(c.slotWait, time.Second),
		check:       c.check,
	}
}

// loginAttempt is one sign-in that the limits let through. Exactly one of
// failed and undo must end it.
type loginAttempt struct {
	g                     *loginGuard
	account, client, pair string
}

// admit reserves a place for the client's attempt on the account, and
// reports false (reserving nothing) when either limit is reached.
func (g *loginGuard) admit(client, email string) (*loginAttempt, bool) {
	account := strings.ToLower(email)
	a := &loginAttempt{g: g, account: account, client: client, pair: account + "\x00" + client}
	if !g.clients.take(client, g.clientLimit) {
		return nil, false
	}
	if !g.pairs.take(a.pair, g.pairLimit) {
		g.clients.refund(client)
		return nil, false
	}
	return a, true
}

// delayFor is how long a sign-in for an account with this many recent
// failures waits: nothing for none, then LOGIN_DELAY doubling with each
// failure, never more than LOGIN_DELAY_MAX.
func (g *loginGuard) delayFor(failures int) time.Duration {
	if g.delay <= 0 || failures <= 0 {
		return 0
	}
	d := g.delay
	for range failures - 1 {
		if d >= g.delayMax {
			break
		}
		d *= 2
	}
	return min(d, g.delayMax)
}

// slowDown waits for the account's delay and returns it. The delay takes
// at most half of the time the request has left, so that the check itself
// still has time. It fails only when ctx ends first.
func (a *loginAttempt) slowDown(ctx context.Context) (time.Duration, error) {
	d := a.g.delayFor(a.g.failures.count(a.account))
	if deadline, ok := ctx.Deadline(); ok {
		d = min(d, max(0, time.Until(deadline)/2))
	}
	if d <= 0 {
		return 0, nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return d, nil
	case <-ctx.Done():
		return d, ctx.Err()
	}
}

// check compares the password with the hash once a hashing slot is free.
// It fails with errLoginBusy when none frees up within PASSWORD_HASH_WAIT,
// and with ctx's error when ctx ends first.
func (a *loginAttempt) check(ctx context.Context, password, hash string) (bool, error) {
	g := a.g
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.slotWait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return false, errLoginBusy
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	return g.check(password, hash), nil
}

// failed ends an attempt whose password was wrong: it stays counted
// against the client, and slows the account down.
func (a *loginAttempt) failed() {
	a.g.failures.add(a.account)
}

// undo ends an attempt whose password was right, or never checked: it
// counts against nobody.
func (a *loginAttempt) undo() {
	a.g.pairs.refund(a.pair)
	a.g.clients.refund(a.client)
}
