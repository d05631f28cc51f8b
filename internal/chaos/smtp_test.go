//go:build linux

package chaos

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

func TestMailRetryScheduleCoversADayWithTheDefaults(t *testing.T) {
	parallel(t)
	cfg, err := config.Load(func(name string) string {
		if name == "DATABASE_URL" {
			return "postgres://attend@127.0.0.1:5432/attend"
		}
		return ""
	}, config.Need{})
	if err != nil {
		t.Fatal(err)
	}
	b := domain.Backoff{Base: cfg.MailRetryBase, Max: cfg.MailRetryMax, MaxAttempts: cfg.MailMaxAttempts}
	// The worker waits Delay(n) after failed attempt n and gives up when
	// attempt MaxAttempts fails; jitter only ever shortens a delay, so the
	// guaranteed span is the one with the largest jitter.
	var nominal, guaranteed time.Duration
	var steps []string
	for n := 1; n < b.MaxAttempts; n++ {
		d := b.Delay(n, 0)
		if d > b.Max {
			t.Errorf("delay after attempt %d is %s, above MAIL_RETRY_MAX %s", n, d, b.Max)
		}
		nominal += d
		guaranteed += b.Delay(n, 1)
		steps = append(steps, d.String())
	}
	t.Logf("found: defaults MAIL_RETRY_BASE=%s MAIL_RETRY_MAX=%s MAIL_MAX_ATTEMPTS=%d: delays %s; "+
		"retrying spans %s nominally, at least %s with the largest jitter", b.Base, b.Max, b.MaxAttempts,
		strings.Join(steps, ", "), nominal.Round(time.Minute), guaranteed.Round(time.Minute))
	if guaranteed < 24*time.Hour {
		t.Errorf("the default schedule may give up after %s: an SMTP outage of a day loses mail", guaranteed.Round(time.Minute))
	}
	if cfg.MailLease > 5*time.Minute {
		t.Errorf("default MAIL_LEASE %s: a crashed worker's emails wait longer than 5 minutes", cfg.MailLease)
	}
	t.Logf("found: default MAIL_LEASE=%s (a row stuck in sending is due again after it)", cfg.MailLease)
}

// observation is an outbox row's history as the test saw it.
type observation struct {
	claims []time.Time // when attempts 1, 2, … were first seen
	final  emailRow
}

// observeEmail polls the email row queued to recipient every 10ms until
// done says so, recording when each attempt began.
func observeEmail(t *testing.T, db *sqlx.DB, recipient string, timeout time.Duration, done func(emailRow) bool) observation {
	t.Helper()
	var o observation
	deadline := time.Now().Add(timeout)
	for {
		var rows []emailRow
		err := db.Select(&rows, `
			SELECT id, registration_id, kind, recipient, message_id, status, attempts, last_error
			FROM emails WHERE recipient = $1`, recipient)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if len(rows) == 1 {
			o.final = rows[0]
			for len(o.claims) < o.final.Attempts {
				o.claims = append(o.claims, now)
			}
			if done(o.final) {
				return o
			}
		}
		if now.After(deadline) {
			t.Fatalf("email to %s: not done within %s; last seen %+v (error %q)", recipient, timeout, o.final, deref(o.final.LastError))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func sent(r emailRow) bool   { return r.Status == "sent" }
func failed(r emailRow) bool { return r.Status == "failed" }

func TestSMTPFaultsAreRetriedOrReported(t *testing.T) {
	parallel(t)
	const (
		base    = 200 * time.Millisecond
		maxWait = 400 * time.Millisecond // the schedule: 200, 400, 400, …; uncapped it would be 800, 1600
		poll    = 100 * time.Millisecond
		timeout = time.Second
	)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL()).with("SMTP_TIMEOUT", timeout.String(), "MAIL_RETRY_BASE", base.String(),
		"MAIL_RETRY_MAX", maxWait.String(), "MAIL_POLL_INTERVAL", poll.String(), "MAIL_LEASE", "2s")
	token := organizerToken(t, e)
	srv := startServer(t, "serve", e)
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "smtp-faults"})
	client := newClient(true, 10*time.Second)
	backoff := domain.Backoff{Base: base, Max: maxWait}
	registerOne := func(t *testing.T, email string) {
		t.Helper()
		if r := register(context.Background(), client, srv.url(), slug, email); r.err != nil || r.status != http.StatusAccepted {
			t.Fatalf("register %s: %d %v", email, r.status, r.err)
		}
	}
	arrivals := func(email string) int {
		n := 0
		for _, d := range deliveredMail(t, mail) {
			if d.To == email {
				n++
			}
		}
		return n
	}

	t.Run("451 is retried on the MAIL_RETRY schedule, capped at MAIL_RETRY_MAX", func(t *testing.T) {
		mail.SetMode(smtptest.ModeTempFail)
		email := "tempfail@example.org"
		registerOne(t, email)
		o := observeEmail(t, db, email, 15*time.Second, func(r emailRow) bool { return r.Attempts >= 5 })
		mail.SetMode(smtptest.ModeAccept)
		final := observeEmail(t, db, email, 10*time.Second, sent)
		if !strings.Contains(deref(o.final.LastError), "451") {
			t.Errorf("last error %q does not carry the 451", deref(o.final.LastError))
		}
		var gaps []string
		for n := 1; n < len(o.claims); n++ {
			gap := o.claims[n].Sub(o.claims[n-1])
			d := backoff.Delay(n, 0)
			lo, hi := backoff.Delay(n, 1)-60*time.Millisecond, d+poll+600*time.Millisecond
			gaps = append(gaps, fmt.Sprintf("%s (schedule %s)", gap.Round(10*time.Millisecond), d))
			if gap < lo || gap > hi {
				t.Errorf("attempt %d came %s after attempt %d; the schedule says %s–%s", n+1, gap.Round(time.Millisecond), n, lo, hi)
			}
		}
		if got := arrivals(email); got != 1 {
			t.Errorf("arrived %d times, want 1", got)
		}
		t.Logf("injected: 451 on every RCPT for %d attempts; found: gaps %s; sent on attempt %d, delivered once",
			len(o.claims), strings.Join(gaps, ", "), final.final.Attempts)
	})

	t.Run("a connection dropped after DATA is retried and the email arrives once", func(t *testing.T) {
		mail.SetMode(smtptest.ModeAccept)
		mail.QueueModes(smtptest.ModeDrop, smtptest.ModeDrop) // the send and its one reconnect
		conns := mail.Connections()
		email := "dropped@example.org"
		registerOne(t, email)
		o := observeEmail(t, db, email, 10*time.Second, sent)
		if o.final.Attempts != 2 {
			t.Errorf("sent on attempt %d, want 2 (the dropped one and the retry)", o.final.Attempts)
		}
		if got := arrivals(email); got != 1 {
			t.Errorf("arrived %d times, want 1", got)
		}
		t.Logf("injected: two connections closed without a reply after DATA; found: %d SMTP connections, sent on attempt %d, delivered once",
			mail.Connections()-conns, o.final.Attempts)
	})

	t.Run("550 fails after one attempt and is listed for the organizer", func(t *testing.T) {
		mail.SetMode(smtptest.ModePermFail)
		email := "rejected@example.org"
		registerOne(t, email)
		o := observeEmail(t, db, email, 10*time.Second, failed)
		mail.SetMode(smtptest.ModeAccept)
		if o.final.Attempts != 1 {
			t.Errorf("failed after %d attempts, want 1", o.final.Attempts)
		}
		var list struct {
			Emails []struct {
				ID        int64  `json:"id"`
				Recipient string `json:"recipient"`
				Status    string `json:"status"`
				Attempts  int    `json:"attempts"`
				LastError string `json:"last_error"`
			} `json:"emails"`
		}
		if status := getJSON(t, client, srv.url()+"/api/v1/events/"+slug+"/emails?status=failed", token, &list); status != http.StatusOK {
			t.Fatalf("failed list: %d", status)
		}
		if len(list.Emails) != 1 || list.Emails[0].Recipient != email || !strings.Contains(list.Emails[0].LastError, "550") {
			t.Fatalf("failed list = %+v, want the one email to %s with its 550", list.Emails, email)
		}
		// The organizer retries it once the address is fixed on the far side.
		r := post(context.Background(), client, fmt.Sprintf("%s/api/v1/events/%s/emails/%d/retry", srv.url(), slug, list.Emails[0].ID),
			nil, "Authorization", "Bearer "+token)
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("retry: %d %v", r.status, r.err)
		}
		observeEmail(t, db, email, 10*time.Second, sent)
		if got := arrivals(email); got != 1 {
			t.Errorf("arrived %d times after the retry, want 1", got)
		}
		t.Logf("injected: 550 on RCPT; found: failed after %d attempt, listed with %q, delivered once after the organizer's retry",
			o.final.Attempts, list.Emails[0].LastError)
	})

	t.Run("a server that stalls is cut off by SMTP_TIMEOUT and the email retried", func(t *testing.T) {
		mail.SetMode(smtptest.ModeAccept)
		mail.QueueModes(smtptest.ModeStall)
		email := "stalled@example.org"
		registerOne(t, email)
		o := observeEmail(t, db, email, 15*time.Second, sent)
		if o.final.Attempts != 2 {
			t.Fatalf("sent on attempt %d, want 2", o.final.Attempts)
		}
		gap := o.claims[1].Sub(o.claims[0])
		if lo, hi := timeout, timeout+base+poll+800*time.Millisecond; gap < lo || gap > hi {
			t.Errorf("the retry came %s after the stalled attempt, want %s–%s (SMTP_TIMEOUT plus the first delay)", gap, lo, hi)
		}
		if got := arrivals(email); got != 1 {
			t.Errorf("arrived %d times, want 1", got)
		}
		t.Logf("injected: the server stops answering at MAIL FROM; found: attempt 2 began %s after attempt 1 (SMTP_TIMEOUT=%s), delivered once",
			gap.Round(time.Millisecond), timeout)
	})

	t.Run("a row left in sending by a crashed process is sent again when its lease ends", func(t *testing.T) {
		srv.signal(t, syscall.SIGTERM)
		srv.wait(t, 30*time.Second)
		// This process waits on the stalled server far longer than the lease.
		stuck := startServer(t, "serve(stuck)", e.with("SMTP_TIMEOUT", "60s"))
		mail.SetMode(smtptest.ModeAccept)
		mail.QueueModes(smtptest.ModeStall)
		email := "crashed@example.org"
		if r := register(context.Background(), client, stuck.url(), slug, email); r.err != nil || r.status != http.StatusAccepted {
			t.Fatalf("register: %d %v", r.status, r.err)
		}
		o := observeEmail(t, db, email, 10*time.Second, func(r emailRow) bool { return r.Status == "sending" })
		var lockedUntil time.Time
		if err := db.Get(&lockedUntil, `SELECT locked_until FROM emails WHERE id = $1`, o.final.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		stuck.kill()
		killed := time.Now()
		next := startServer(t, "serve(after crash)", e)
		var ready time.Time // on the database's clock, like the lease
		if err := db.Get(&ready, `SELECT now()`); err != nil {
			t.Fatal(err)
		}
		o2 := observeEmail(t, db, email, 15*time.Second, sent)
		var sentAt time.Time
		if err := db.Get(&sentAt, `SELECT sent_at FROM emails WHERE id = $1`, o.final.ID); err != nil {
			t.Fatal(err)
		}
		if sentAt.Before(lockedUntil) {
			t.Errorf("sent at %s, before the crashed process's lease ended at %s", sentAt, lockedUntil)
		}
		// Picked up as soon as both the lease has ended and a worker runs.
		if late := sentAt.Sub(laterOf(lockedUntil, ready)); late > poll+1500*time.Millisecond {
			t.Errorf("sent %s after the lease ended and the next worker was up, want within MAIL_POLL_INTERVAL", late)
		}
		if got := arrivals(email); got != 1 {
			t.Errorf("arrived %d times, want 1", got)
		}
		next.signal(t, syscall.SIGTERM)
		next.wait(t, 30*time.Second)
		t.Logf("injected: SIGKILL while the send stalled (row in sending, lease 2s); found: sent on attempt %d, "+
			"%s after the kill and %s after the lease ended, delivered once", o2.final.Attempts,
			sentAt.Sub(killed).Round(time.Millisecond), sentAt.Sub(lockedUntil).Round(time.Millisecond))
	})
	checkNoOrphans(t, db)
}
