//go:build linux

package chaos

import (
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

func TestSIGTERMUnderLoadFailsNoRequestAndLeavesNothingHalfDone(t *testing.T) {
	parallel(t)
	var (
		rate   = size(100.0, 200.0)
		before = size(3*time.Second, 5*time.Second) // load before SIGTERM
		after  = time.Second                        // load after SIGTERM
	)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL())
	token := organizerToken(t, e)
	// The binary as shipped: at 200 registrations/s a server built with
	// -race, on a small machine, sheds load with 503 (its transactions wait
	// on the event's row lock past DB_STATEMENT_TIMEOUT), which is overload,
	// not shutdown. The other cases stop race-built servers with SIGTERM.
	srv := awaitServer(t, startProcOf(t, plainBinary(t), "serve", e, "serve"))
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "shutdown"})
	t.Logf("injecting: SIGTERM after %s of %.0f registrations/s, load going on for %s more; "+
		"one connection per request (no keep-alive), so every failure belongs to one request", before, rate, after)

	// Every request gets one attempt, no retry.
	client := newClient(false, 30*time.Second)
	var (
		samples []sample
		stop    = make(chan struct{})
		loaded  = make(chan struct{})
	)
	go func() {
		defer close(loaded)
		samples = steadyLoad(client, srv.url(), slug, "term", rate, stop)
	}()
	time.Sleep(before)
	srv.signal(t, syscall.SIGTERM)
	termAt := time.Now()
	time.Sleep(after)
	close(stop)
	<-loaded
	code, ended := srv.wait(t, 30*time.Second)
	if code != 0 {
		t.Errorf("exit status %d after SIGTERM, want 0", code)
	}
	if took := ended.Sub(termAt); took > 30*time.Second {
		t.Errorf("exited %s after SIGTERM, want within 30s", took)
	}

	// Classify the answers. A request without an answer is a failed
	// in-flight request only if the server acted on it; otherwise the
	// connection was refused, or reset or closed by the kernel while it
	// waited in the listen backlog, and the client may simply retry.
	var stats tally
	inFlightFailed := 0
	for _, s := range samples {
		switch {
		case s.err == nil && s.status == http.StatusAccepted:
			stats.add("202")
		case s.err == nil:
			stats.add(fmt.Sprintf("%d", s.status))
			t.Errorf("%s: answered %d during shutdown; every answered request must be a 202", s.email, s.status)
		case refused(s.err):
			stats.add("refused (listener closed)")
		case count(t, db, `SELECT count(*) FROM registrations WHERE lower(email) = $1`, s.email) > 0:
			stats.add("in-flight failure")
			inFlightFailed++
			t.Errorf("%s: registered, but the client got no answer: %v", s.email, s.err)
		default:
			stats.add("closed unread (backlog)")
			t.Logf("%s: no answer, never processed: %v", s.email, s.err)
		}
	}
	registered := count(t, db, `SELECT count(*) FROM registrations`)
	if registered != stats.get("202") {
		t.Errorf("%d registrations in the database, %d clients got a 202", registered, stats.get("202"))
	}
	sending := count(t, db, `SELECT count(*) FROM emails WHERE status = 'sending'`)
	if sending != 0 {
		t.Errorf("%d emails left in sending by a graceful shutdown", sending)
	}
	queued := count(t, db, `SELECT count(*) FROM emails WHERE status = 'queued'`)
	checkNoOrphans(t, db)

	// The next run sends what is left; nothing arrives twice.
	next := startServer(t, "serve(next)", e)
	waitOutboxEmpty(t, db, 30*time.Second)
	rows := emailRows(t, db)
	duplicates := deliveryCheck(t, rows, deliveredMail(t, mail), onceEach)
	next.signal(t, syscall.SIGTERM)
	next.wait(t, 30*time.Second)

	t.Logf("found: %d requests: %s; %d in-flight requests failed; exit status %d %s after SIGTERM",
		len(samples), stats.String(), inFlightFailed, code, ended.Sub(termAt).Round(time.Millisecond))
	t.Logf("found: after exit %d emails in sending, %d queued for the next run; %d emails delivered in all, %d duplicates",
		sending, queued, len(rows), duplicates)
	recordFigures(t, "graceful shutdown", fmt.Sprintf("%d requests (%s), %d in-flight failures, exit %d in %s, "+
		"%d left sending, %d duplicates", len(samples), stats.String(), inFlightFailed, code,
		ended.Sub(termAt).Round(time.Millisecond), sending, duplicates))
}
