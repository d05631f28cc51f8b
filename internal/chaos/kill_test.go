//go:build linux

package chaos

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// claim identifies one lease on an outbox row: the same row claimed again
// gets a new locked_until.
type claim struct {
	id          int64
	lockedUntil time.Time
}

// orphanedClaims lists the outbox rows that are in "sending" right after a
// kill: the emails the dead process may have handed to the SMTP server
// without recording it. Only these may arrive once more.
func orphanedClaims(t *testing.T, db *sqlx.DB) []claim {
	t.Helper()
	var rows []struct {
		ID          int64     `db:"id"`
		LockedUntil time.Time `db:"locked_until"`
	}
	if err := db.Select(&rows, `SELECT id, locked_until FROM emails WHERE status = 'sending'`); err != nil {
		t.Fatalf("read claims: %v", err)
	}
	out := make([]claim, len(rows))
	for i, r := range rows {
		out[i] = claim{r.ID, r.LockedUntil}
	}
	return out
}

func TestKill9UnderLoadLosesNoRegistrationAndNoEmail(t *testing.T) {
	parallel(t)
	var (
		n         = size(150, 1000)
		rate      = size(30.0, 50.0)                           // registrations per second
		killEvery = size(1500*time.Millisecond, 2*time.Second) // ± 30 %
		tempFail  = size(2*time.Second, 6*time.Second)         // SMTP answers 451 this long
		patience  = size(45*time.Second, 90*time.Second)       // a client gives up after this
		planned   = time.Duration(float64(n) / rate * float64(time.Second))
	)
	mail := smtptest.Start(t)
	mail.SetMode(smtptest.ModeTempFail)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	port := freePort(t)
	e := baseEnv(dbURL, mail.URL()).with("HTTP_ADDR", fmt.Sprintf("127.0.0.1:%d", port))
	token := organizerToken(t, e)

	var (
		srv     = startServer(t, "serve#1", e)
		runs    = 1
		kills   int
		hit     int // kills that left at least one email in "sending"
		orphans = map[claim]bool{}
	)
	base := srv.url()
	slug := createEvent(t, base, token, eventSpec{slug: "kill-nine"})
	t.Logf("injecting: %d registrations at %.0f/s (about %s) against %s, SIGKILL every %s ± 30%%, "+
		"SMTP 451 for the first %s; MAIL_LEASE=2s MAIL_RETRY_BASE=200ms MAIL_POLL_INTERVAL=200ms",
		n, rate, planned.Round(time.Second), base, killEvery, tempFail)

	client := newClient(true, 10*time.Second)
	outcomes := make([]outcome, n)
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		steady(n, rate, func(i int) {
			email := fmt.Sprintf("kill-%04d@example.org", i)
			outcomes[i] = registerPersistently(client, func(int) string { return base }, slug, email, patience)
		})
	}()

	start := time.Now()
	smtpHealed := false
	for done := false; !done; {
		wait := time.Duration(float64(killEvery) * (0.7 + 0.6*rand.Float64()))
		select {
		case <-loadDone:
			done = true
			continue
		case <-time.After(wait):
		}
		if !smtpHealed && time.Since(start) > tempFail {
			mail.SetMode(smtptest.ModeAccept)
			smtpHealed = true
		}
		srv.kill()
		kills++
		claims := orphanedClaims(t, db)
		if len(claims) > 0 {
			hit++
		}
		for _, c := range claims {
			orphans[c] = true
		}
		// A short outage, so that clients also meet refused connections.
		time.Sleep(time.Duration(rand.IntN(300)) * time.Millisecond)
		runs++
		srv = startServer(t, fmt.Sprintf("serve#%d", runs), e)
	}
	if !smtpHealed {
		mail.SetMode(smtptest.ModeAccept)
	}
	t.Logf("load finished after %s: %d kills (%d with emails in flight, %d claims orphaned), %d server runs",
		time.Since(start).Round(time.Millisecond), kills, hit, len(orphans), runs)

	// The last run drains the outbox and is stopped gracefully.
	waitOutboxEmpty(t, db, size(60*time.Second, 180*time.Second))
	srv.signal(t, syscall.SIGTERM)
	if code, _ := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("the final server exited with status %d, want 0", code)
	}

	// Accepted registrations all exist, once each.
	var stats tally
	accepted := map[string]bool{}
	ambiguous := 0
	for _, o := range outcomes {
		stats.add(http.StatusText(o.status))
		ambiguous += o.ambiguous
		if o.status == http.StatusAccepted {
			accepted[o.email] = true
		} else {
			t.Errorf("%s: no 202 after %d attempts (last status %d, last error %v)", o.email, o.attempts, o.status, o.last)
		}
	}
	var regs []struct {
		ID    string `db:"id"`
		Email string `db:"email"`
	}
	if err := db.Select(&regs, `SELECT id, lower(email) AS email FROM registrations`); err != nil {
		t.Fatal(err)
	}
	inDB := map[string]string{}
	for _, r := range regs {
		inDB[r.Email] = r.ID
	}
	lost := 0
	for email := range accepted {
		if inDB[email] == "" {
			lost++
			t.Errorf("accepted registration %s is not in the database", email)
		}
	}

	// Each registration has exactly one confirmation request, delivered;
	// extra deliveries only of emails a kill caught in "sending".
	rows := emailRows(t, db)
	orphanedTimes := map[int64]int{}
	for c := range orphans {
		orphanedTimes[c.id]++
	}
	confirmations := map[string]int{}
	kinds := tally{}
	for _, r := range rows {
		kinds.add(r.Kind)
		if r.Status != "sent" {
			t.Errorf("email %d (%s to %s) ended %s after %d attempts: %v", r.ID, r.Kind, r.Recipient, r.Status, r.Attempts, deref(r.LastError))
		}
		if r.Kind == "confirm_request" && r.RegistrationID != nil {
			confirmations[*r.RegistrationID]++
		}
	}
	for email, id := range inDB {
		if confirmations[id] != 1 {
			t.Errorf("registration %s has %d confirmation requests queued, want 1", email, confirmations[id])
		}
	}
	ds := deliveredMail(t, mail)
	duplicates := deliveryCheck(t, rows, ds, func(r emailRow) int { return 1 + orphanedTimes[r.ID] })
	if duplicates > len(orphans) {
		t.Errorf("%d duplicate deliveries, more than the %d claims kills left in flight", duplicates, len(orphans))
	}
	checkNoOrphans(t, db)

	t.Logf("found: clients %s (%d ambiguous attempts retried); accepted %d, in database %d, lost %d",
		stats.String(), ambiguous, len(accepted), len(inDB), lost)
	t.Logf("found: %d email rows (%s), %d messages delivered, %d distinct Message-IDs, %d duplicates "+
		"(bound: %d claims orphaned by %d of %d kills)",
		len(rows), kinds.String(), len(ds), len(byMessageID(ds)), duplicates, len(orphans), hit, kills)
	recordFigures(t, "kill -9 under load", fmt.Sprintf(
		"%d registrations, %d kills (%d with sends in flight); accepted %d, lost %d; %d emails, %d delivered, %d duplicates",
		n, kills, hit, len(accepted), lost, len(rows), len(ds), duplicates))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}
