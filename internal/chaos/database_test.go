//go:build linux

package chaos

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// sample is one request of a load whose answers are all kept.
type sample struct {
	email   string
	started time.Time
	reply
}

func TestDatabaseRestartAnswers503AndRecoversByItself(t *testing.T) {
	parallel(t)
	var (
		requestTimeout = 3 * time.Second
		rate           = 20.0
		outages        = size([]string{"immediate"}, []string{"immediate", "fast"})
		outage         = size(2500*time.Millisecond, 5*time.Second)
		between        = size(3*time.Second, 6*time.Second) // load before, between and after outages
	)
	cluster := startPrivateCluster(t)
	mail := smtptest.Start(t)
	dbURL := cluster.url("attend")
	e := baseEnv(dbURL, mail.URL()).with("DB_STATEMENT_TIMEOUT", "1s", "REQUEST_TIMEOUT", requestTimeout.String())
	runAttend(t, e, "", "migrate")
	token := organizerToken(t, e)
	srv := startServer(t, "serve", e)
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "db-restart"})
	t.Logf("injecting: private PostgreSQL stopped (%v) for %s while %0.f registrations/s arrive (REQUEST_TIMEOUT=%s, "+
		"DB_STATEMENT_TIMEOUT=1s), /readyz probed every 100ms", outages, outage, rate, requestTimeout)

	var (
		mu      sync.Mutex
		samples []sample
		probes  []sample
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	client := newClient(true, 30*time.Second)
	wg.Add(2)
	go func() { // the load
		defer wg.Done()
		loaded := steadyLoad(client, srv.url(), slug, "restart", rate, stop)
		mu.Lock()
		samples = loaded
		mu.Unlock()
	}()
	go func() { // the load balancer's readiness probe
		defer wg.Done()
		probe := newClient(false, 5*time.Second)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			s := sample{started: time.Now()}
			s.reply = get(context.Background(), probe, srv.url()+"/readyz")
			mu.Lock()
			probes = append(probes, s)
			mu.Unlock()
		}
	}()

	// down..up is the outage as the test caused it; stopped..starting is
	// the part in which the database surely did not answer.
	type window struct{ down, stopped, starting, up time.Time }
	var windows []window
	time.Sleep(between)
	for _, mode := range outages {
		w := window{down: time.Now()}
		cluster.stop(t, mode)
		w.stopped = time.Now()
		time.Sleep(outage)
		w.starting = time.Now()
		cluster.start(t)
		w.up = time.Now()
		windows = append(windows, w)
		t.Logf("database down (%s) from +%s to +%s", mode, w.down.Sub(windows[0].down), w.up.Sub(windows[0].down))
		time.Sleep(between)
	}
	close(stop)
	wg.Wait()

	// Every answer was a 202 or a 503 with Retry-After, in time.
	var (
		stats     tally
		accepted  []sample
		recovered = make([]time.Duration, len(windows))
	)
	sort.Slice(samples, func(i, j int) bool { return samples[i].started.Before(samples[j].started) })
	for _, s := range samples {
		switch {
		case s.err != nil:
			stats.add("transport error")
			t.Errorf("%s: no answer: %v", s.email, s.err)
		case s.status == http.StatusAccepted:
			stats.add("202")
			accepted = append(accepted, s)
		case s.status == http.StatusServiceUnavailable:
			stats.add("503")
			if s.retryAfter == "" {
				t.Errorf("%s: 503 without Retry-After", s.email)
			}
		default:
			stats.add(fmt.Sprint(s.status))
			t.Errorf("%s: status %d; only 202 and 503 are acceptable", s.email, s.status)
		}
		if s.took > requestTimeout+2*time.Second {
			t.Errorf("%s: answered after %s, past REQUEST_TIMEOUT %s", s.email, s.took.Round(time.Millisecond), requestTimeout)
		}
	}
	if stats.get("503") == 0 {
		t.Errorf("no request met the outage (answers: %s)", stats.String())
	}
	var slowest time.Duration
	for _, s := range samples {
		slowest = max(slowest, s.took)
	}
	// Recovery: after each outage, registrations are accepted again by
	// themselves, and stay so.
	for i, w := range windows {
		end := time.Now()
		if i+1 < len(windows) {
			end = windows[i+1].down
		}
		first := time.Time{}
		for _, s := range samples {
			if s.started.After(w.up) && s.started.Before(end) && s.status == http.StatusAccepted && first.IsZero() {
				first = s.started
			}
			// Answers that came after the next outage began are that outage's.
			if !first.IsZero() && s.started.After(first.Add(time.Second)) && s.at.Before(end) && s.status != http.StatusAccepted {
				t.Errorf("%s: status %d %s after the database came back", s.email, s.status, s.started.Sub(w.up).Round(time.Millisecond))
			}
		}
		if first.IsZero() {
			t.Errorf("outage %d: no registration accepted after the database came back", i+1)
			continue
		}
		recovered[i] = first.Sub(w.up)
	}
	// /readyz said 503 while the database was down and 200 at the end.
	var readyDown, readyUp int
	for _, p := range probes {
		for _, w := range windows {
			if p.started.After(w.stopped) && p.at.Before(w.starting) {
				if p.status == http.StatusServiceUnavailable {
					readyDown++
					if p.retryAfter == "" {
						t.Errorf("/readyz answered 503 without Retry-After")
					}
				} else {
					t.Errorf("/readyz answered %d (%v) while the database was down", p.status, p.err)
				}
			}
		}
		if p.status == http.StatusOK {
			readyUp++
		}
	}
	if readyDown == 0 {
		t.Errorf("/readyz never answered 503 during the outage")
	}
	if last := probes[len(probes)-1]; last.status != http.StatusOK {
		t.Errorf("/readyz answers %d after recovery", last.status)
	}

	// The worker sends again: every accepted registration's email arrives, once.
	db := openDB(t, dbURL)
	waitOutboxEmpty(t, db, 60*time.Second)
	for _, s := range accepted {
		if count(t, db, `SELECT count(*) FROM registrations WHERE lower(email) = $1`, s.email) != 1 {
			t.Errorf("accepted registration %s is not in the database", s.email)
		}
	}
	// An email the SMTP server accepted while the database was going down
	// cannot be recorded as sent: it is sent again once its lease runs out.
	// A database crash is a crash, so once more per outage is allowed.
	rows := emailRows(t, db)
	duplicates := deliveryCheck(t, rows, deliveredMail(t, mail), func(emailRow) int { return 1 + len(windows) })
	if limit := len(windows) * 50; duplicates > limit {
		t.Errorf("%d duplicates, more than one batch (MAIL_BATCH_SIZE=50) per outage", duplicates)
	}
	checkNoOrphans(t, db)
	srv.signal(t, syscall.SIGTERM)
	if code, _ := srv.wait(t, 30*time.Second); code != 0 {
		t.Errorf("serve exited with %d after the outages", code)
	}
	t.Logf("found: %d requests: %s; slowest answer %s; /readyz 503 x%d during outages, 200 x%d overall; "+
		"accepted again %v after the database came back", len(samples), stats.String(), slowest.Round(time.Millisecond),
		readyDown, readyUp, roundAll(recovered))
	t.Logf("found: %d emails queued, all delivered, %d duplicates", len(rows), duplicates)
	recordFigures(t, "database restart", fmt.Sprintf("%d requests (%s), slowest %s, recovered after %v, %d emails delivered, %d duplicates",
		len(samples), stats.String(), slowest.Round(time.Millisecond), roundAll(recovered), len(rows), duplicates))
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}

func TestTerminatedListenConnectionDelaysMailAtMostByThePollInterval(t *testing.T) {
	parallel(t)
	var (
		poll     = time.Second
		n        = size(40, 150)
		rate     = 10.0
		killEach = 300 * time.Millisecond
	)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL()).with("MAIL_POLL_INTERVAL", poll.String())
	token := organizerToken(t, e)
	srv := startServer(t, "serve", e)
	slug := createEvent(t, srv.url(), token, eventSpec{slug: "listen-kill"})
	arrived := watchArrivals(t, mail)
	t.Logf("injecting: pg_terminate_backend on the worker's LISTEN connection every %s while %d registrations "+
		"arrive at %.0f/s; MAIL_POLL_INTERVAL=%s", killEach, n, rate, poll)

	stop := make(chan struct{})
	killed := make(chan int)
	go func() {
		total := 0
		defer func() { killed <- total }()
		for {
			select {
			case <-stop:
				return
			case <-time.After(killEach):
			}
			if k, err := terminateListeners(db); err == nil {
				total += k
			}
		}
	}()
	client := newClient(true, 10*time.Second)
	outcomes := make([]outcome, n)
	steady(n, rate, func(i int) {
		outcomes[i] = registerPersistently(client, func(int) string { return srv.url() }, slug,
			fmt.Sprintf("listen-%05d@example.org", i), 20*time.Second)
	})
	close(stop)
	terminations := <-killed

	waitFor(t, 30*time.Second, "every participant's email seen", func() (bool, string) {
		return arrived.len() >= n, fmt.Sprintf("%d of %d", arrived.len(), n)
	})
	var latencies []time.Duration
	for _, o := range outcomes {
		if o.status != http.StatusAccepted {
			t.Errorf("%s: status %d (%v)", o.email, o.status, o.last)
			continue
		}
		at, ok := arrived.at(o.email)
		if !ok {
			t.Errorf("%s: no email seen", o.email)
			continue
		}
		latencies = append(latencies, max(0, at.Sub(o.acceptedAt)))
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	worst := latencies[len(latencies)-1]
	if limit := poll + time.Second; worst > limit {
		t.Errorf("an email arrived %s after its registration, more than MAIL_POLL_INTERVAL %s (+1s slack)", worst, poll)
	}
	if terminations == 0 {
		t.Errorf("no LISTEN connection was found to terminate")
	}
	waitFor(t, 10*time.Second, "the worker LISTENs again", func() (bool, string) {
		n := count(t, db, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'`)
		return n > 0, fmt.Sprintf("%d LISTEN connections", n)
	})
	waitOutboxEmpty(t, db, 10*time.Second)
	duplicates := deliveryCheck(t, emailRows(t, db), deliveredMail(t, mail), onceEach)
	checkNoOrphans(t, db)
	t.Logf("found: %d LISTEN connections terminated; %d emails delivered, %d duplicates; delay from 202 to arrival: "+
		"median %s, 90th %s, worst %s", terminations, len(latencies), duplicates,
		latencies[len(latencies)/2].Round(time.Millisecond), latencies[len(latencies)*9/10].Round(time.Millisecond),
		worst.Round(time.Millisecond))
	recordFigures(t, "LISTEN terminated", fmt.Sprintf("%d terminations, %d emails, worst delay %s (poll %s), %d duplicates",
		terminations, len(latencies), worst.Round(time.Millisecond), poll, duplicates))
}

// terminateListeners ends the LISTEN connections of db's database, other
// than its own, and reports how many it ended. The pids are chosen first and
// terminated by a second statement: with pg_terminate_backend in the same
// WHERE as the database filter, PostgreSQL calls it on pg_stat_activity's
// rows before joining pg_database to test datname, and so ends the LISTEN
// connections of every database on the server, other tests' included.
func terminateListeners(db *sqlx.DB) (int, error) {
	var pids []int64
	if err := db.Select(&pids, `
		SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()`); err != nil {
		return 0, fmt.Errorf("find LISTEN connections: %w", err)
	}
	if len(pids) == 0 {
		return 0, nil
	}
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM unnest($1::int[]) AS pid WHERE pg_terminate_backend(pid)`,
		pq.Array(pids)); err != nil {
		return 0, fmt.Errorf("terminate LISTEN connections: %w", err)
	}
	return n, nil
}

func TestTerminatingListenersSparesOtherDatabases(t *testing.T) {
	parallel(t)
	ctx := context.Background()
	// listen holds one connection of db that has run LISTEN and returns it
	// with its server pid.
	listen := func(db *sqlx.DB) (*sqlx.Conn, int) {
		t.Helper()
		conn, err := db.Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		var pid int
		if err := conn.GetContext(ctx, &pid, `SELECT pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
		// Last, as pg_stat_activity shows an idle connection's last statement.
		if _, err := conn.ExecContext(ctx, `LISTEN chaos_probe`); err != nil {
			t.Fatal(err)
		}
		return conn, pid
	}
	mine, other := openDB(t, pgtest.NewURL(t)), openDB(t, pgtest.NewURL(t))
	_, minePid := listen(mine)
	otherConn, otherPid := listen(other)

	n, err := terminateListeners(mine)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("terminated %d connections, want 1: the test's own LISTEN connection", n)
	}
	waitFor(t, 10*time.Second, "the terminated connection gone", func() (bool, string) {
		k := count(t, mine, `SELECT count(*) FROM pg_stat_activity WHERE pid = $1`, minePid)
		return k == 0, fmt.Sprintf("pid %d still listed", minePid)
	})
	var one int
	if err := otherConn.GetContext(ctx, &one, `SELECT 1`); err != nil {
		t.Errorf("the other database's LISTEN connection (pid %d) was terminated too: %v", otherPid, err)
	}
}
