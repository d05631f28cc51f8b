//go:build linux

package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/smtptest"
)

// startInstances launches count `attend serve` processes at once (so that
// their start-up, migrations included, overlaps) and waits for all.
func startInstances(t *testing.T, count int, e env) []*server {
	t.Helper()
	procs := make([]*proc, count)
	for i := range procs {
		procs[i] = startProc(t, fmt.Sprintf("instance#%d", i+1), e, "serve")
	}
	out := make([]*server, count)
	for i, p := range procs {
		out[i] = awaitServer(t, p)
	}
	return out
}

// emptyDatabase creates a database without any schema on the shared server
// and drops it when the test ends.
func emptyDatabase(t *testing.T) string {
	t.Helper()
	admin := pgtest.AdminURL(t)
	db := openDB(t, admin)
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	name := "chaos_empty_" + hex.EncodeToString(b[:])
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func TestInstancesStartingTogetherOnAnEmptyDatabaseMigrateItOnce(t *testing.T) {
	parallel(t)
	rounds := size(3, 10)
	mail := smtptest.Start(t)
	t.Logf("injecting: %d rounds of three `attend serve` started at the same moment on a database without schema", rounds)
	for round := 1; round <= rounds; round++ {
		dbURL := emptyDatabase(t)
		servers := startInstances(t, 3, baseEnv(dbURL, mail.URL()))
		db := openDB(t, dbURL)
		applied := count(t, db, `SELECT count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied`)
		distinct := count(t, db, `SELECT count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0 AND is_applied`)
		if applied != distinct {
			t.Errorf("round %d: %d migration records for %d versions", round, applied, distinct)
		}
		for _, s := range servers {
			s.signal(t, syscall.SIGTERM)
			if code, _ := s.wait(t, 30*time.Second); code != 0 {
				t.Errorf("round %d: %s exited with %d", round, s.name, code)
			}
		}
		db.Close()
		t.Logf("found: round %d: all three instances up, %d migrations applied once each", round, distinct)
	}
}

// emailsPer counts outbox rows per (registration, kind).
func emailsPer(t *testing.T, db *sqlx.DB) map[[2]string]int {
	t.Helper()
	var rows []struct {
		Reg  string `db:"registration_id"`
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := db.Select(&rows, `
		SELECT registration_id::text AS registration_id, kind, count(*) AS n
		FROM emails WHERE registration_id IS NOT NULL GROUP BY 1, 2`); err != nil {
		t.Fatal(err)
	}
	out := map[[2]string]int{}
	for _, r := range rows {
		out[[2]string{r.Reg, r.Kind}] = r.N
	}
	return out
}

// confirmByLink follows the registration's emailed confirmation link (the
// token is taken from the delivered email) through the JSON API.
func confirmByLink(t *testing.T, c *http.Client, base, token string) {
	t.Helper()
	r := post(context.Background(), c, base+"/api/v1/registrations/confirm", []byte(`{"token":"`+token+`"}`))
	if r.err != nil || r.status != http.StatusOK {
		t.Fatalf("confirm by link at %s: %d %v", base, r.status, r.err)
	}
}

func TestThreeInstancesOnOneDatabaseDoEverythingOnce(t *testing.T) {
	parallel(t)
	var (
		n        = size(150, 1000)
		capacity = 6
		expire   = 4 // pending registrations backdated past their deadline
		remind   = capacity - expire
		waiting  = 4 // verified waiting list, promoted into the freed seats
		soon     = 5 // confirmed registrations of an event in two days
		// Each wait below is for a state, however long a busy machine takes
		// to reach it, as long as it keeps moving towards it.
		stall = 45 * time.Second
		bound = 4 * time.Minute
	)
	mail := smtptest.Start(t)
	dbURL := pgtest.NewURL(t)
	db := openDB(t, dbURL)
	e := baseEnv(dbURL, mail.URL()).with("PERIODIC_INTERVAL", "200ms", "MAIL_BATCH_SIZE", "5")
	token := organizerToken(t, e)
	servers := startInstances(t, 3, e)
	var next atomic.Int64
	roundRobin := func(int) string { return servers[next.Add(1)%int64(len(servers))].url() }
	two := 2
	bulk := createEvent(t, servers[0].url(), token, eventSpec{slug: "scale-bulk"})
	full := createEvent(t, servers[1].url(), token, eventSpec{slug: "scale-waitlist", capacity: capacity, confirmWithinHours: 1})
	near := createEvent(t, servers[2].url(), token, eventSpec{slug: "scale-soon",
		startsOn: time.Now().UTC().AddDate(0, 0, 2), dayStartsAt: "00:00", reminderDaysBefore: &two})
	t.Logf("injecting: three `attend serve` (WORKER=true, PERIODIC_INTERVAL=200ms, MAIL_BATCH_SIZE=5) on one database; "+
		"%d registrations round-robin; event of capacity %d with %d pending backdated 2h (expire), %d backdated 45min "+
		"(confirm reminder), %d verified on the waiting list (promotion); %d confirmed for an event in two days (reminder)",
		n, capacity, expire, remind, waiting, soon)

	client := newClient(true, 10*time.Second)
	var stats tally
	register := func(slug, email string) {
		o := registerPersistently(client, roundRobin, slug, email, 30*time.Second)
		stats.add(http.StatusText(o.status))
		if o.status != http.StatusAccepted {
			t.Errorf("%s: status %d (%v)", email, o.status, o.last)
		}
	}
	start := time.Now()
	steady(n, 100, func(i int) { register(bulk, fmt.Sprintf("bulk-%05d@example.org", i)) })
	t.Logf("%d bulk registrations took %s", n, time.Since(start).Round(time.Millisecond))
	for i := range capacity + waiting {
		register(full, fmt.Sprintf("full-%05d@example.org", i))
	}
	for i := range soon {
		register(near, fmt.Sprintf("soon-%05d@example.org", i))
	}

	// Confirm by the emailed links: the waiting list's addresses and the
	// near event's registrations.
	var registered []string
	if err := db.Select(&registered, `SELECT lower(email) FROM registrations ORDER BY 1`); err != nil {
		t.Fatal(err)
	}
	if want := n + capacity + waiting + soon; len(registered) != want {
		t.Fatalf("%d registrations in the database, want %d", len(registered), want)
	}
	waitWhileProgressing(t, stall, bound, "every registration's first email delivered", func() (bool, string) {
		seen := map[string]bool{}
		for _, d := range mail.Messages() {
			for _, to := range d.To {
				seen[strings.ToLower(to)] = true
			}
		}
		var missing []string
		for _, e := range registered {
			if !seen[e] {
				missing = append(missing, e)
			}
		}
		return len(missing) == 0, fmt.Sprintf("%d of %d addresses without an email, such as %v",
			len(missing), len(registered), missing[:min(len(missing), 5)])
	})
	for _, d := range deliveredMail(t, mail) {
		if strings.HasPrefix(d.To, "soon-") || (strings.HasPrefix(d.To, "full-") && d.To >= fmt.Sprintf("full-%05d", capacity)) {
			confirmByLink(t, client, roundRobin(0), linkToken(t, d.Raw))
		}
	}
	verified := count(t, db, `SELECT count(*) FROM registrations WHERE status = 'waitlisted' AND email_verified_at IS NOT NULL`)
	if verified != waiting {
		t.Fatalf("%d verified on the waiting list, want %d", verified, waiting)
	}
	// Age the pending registrations in one statement, while three workers run.
	if _, err := db.Exec(`
		UPDATE registrations r SET created_at = now() - CASE WHEN r.email < $2 THEN interval '2 hours' ELSE interval '45 minutes' END
		FROM events e WHERE e.id = r.event_id AND e.slug = $1 AND r.status = 'pending'`,
		full, fmt.Sprintf("full-%05d", expire)); err != nil {
		t.Fatal(err)
	}

	type expectation struct{ status, kind string }
	waitWhileProgressing(t, stall, bound, "periodic work done and outbox drained", func() (bool, string) {
		var st struct {
			Expired   int `db:"expired"`
			Promoted  int `db:"promoted"`
			Reminders int `db:"reminders"`
			Nudges    int `db:"nudges"`
			Busy      int `db:"busy"`
			Confirmed int `db:"confirmed"`
		}
		err := db.Get(&st, `SELECT
			(SELECT count(*) FROM registrations WHERE status = 'expired') AS expired,
			(SELECT count(*) FROM emails WHERE kind = 'promoted') AS promoted,
			(SELECT count(*) FROM emails WHERE kind = 'reminder') AS reminders,
			(SELECT count(*) FROM emails WHERE kind = 'confirm_reminder') AS nudges,
			(SELECT count(*) FROM emails WHERE status IN ('queued', 'sending')) AS busy,
			(SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id
			 WHERE e.slug = $1 AND r.status = 'confirmed') AS confirmed`, near)
		if err != nil {
			return false, err.Error()
		}
		var missing []string
		need := func(ok bool, format string, args ...any) {
			if !ok {
				missing = append(missing, fmt.Sprintf(format, args...))
			}
		}
		need(st.Expired == expire, "%d of %d backdated registrations expired", st.Expired, expire)
		need(st.Promoted == waiting, "%d of %d promotion emails queued", st.Promoted, waiting)
		need(st.Reminders == soon, "%d of %d event reminders queued (%d of the event's registrations confirmed)",
			st.Reminders, soon, st.Confirmed)
		need(st.Nudges >= remind, "%d of at least %d confirmation reminders queued", st.Nudges, remind)
		need(st.Busy == 0, "%d emails still queued or sending", st.Busy)
		return len(missing) == 0, strings.Join(missing, "; ")
	})
	// Let every worker run its periodic jobs several more times: nothing
	// may be done twice.
	time.Sleep(time.Second)
	waitWhileProgressing(t, stall, bound, "outbox drained", func() (bool, string) { return outboxDrained(db) })

	per := emailsPer(t, db)
	var regs []struct {
		ID     string `db:"id"`
		Email  string `db:"email"`
		Status string `db:"status"`
	}
	if err := db.Select(&regs, `SELECT id::text AS id, email, status FROM registrations ORDER BY email`); err != nil {
		t.Fatal(err)
	}
	kinds := tally{}
	for k, c := range per {
		kinds.add(k[1])
		if c != 1 {
			t.Errorf("registration %s has %d %s emails, want at most 1", k[0], c, k[1])
		}
	}
	for _, r := range regs {
		var want []expectation
		switch {
		case strings.HasPrefix(r.Email, "bulk-"):
			want = []expectation{{"pending", "confirm_request"}}
		case strings.HasPrefix(r.Email, "soon-"):
			want = []expectation{{"confirmed", "confirm_request"}, {"confirmed", "confirmed"}, {"confirmed", "reminder"}}
		case r.Email < fmt.Sprintf("full-%05d", expire):
			want = []expectation{{"expired", "confirm_request"}}
		case r.Email < fmt.Sprintf("full-%05d", capacity):
			want = []expectation{{"pending", "confirm_request"}, {"pending", "confirm_reminder"}}
		default:
			want = []expectation{{"confirmed", "waitlisted"}, {"confirmed", "promoted"}}
		}
		for _, w := range want {
			if r.Status != w.status {
				t.Errorf("%s is %s, want %s", r.Email, r.Status, w.status)
			}
			if per[[2]string{r.ID, w.kind}] != 1 {
				t.Errorf("%s has %d %s emails, want exactly 1", r.Email, per[[2]string{r.ID, w.kind}], w.kind)
			}
		}
	}
	held := count(t, db, `SELECT event_seats_held(id) FROM events WHERE slug = $1`, full)
	if held != capacity {
		t.Errorf("the full event holds %d seats, want %d", held, capacity)
	}
	rows := emailRows(t, db)
	ds := deliveredMail(t, mail)
	duplicates := deliveryCheck(t, rows, ds, onceEach)
	checkNoOrphans(t, db)
	for _, s := range servers {
		s.signal(t, syscall.SIGTERM)
	}
	for _, s := range servers {
		if code, _ := s.wait(t, 30*time.Second); code != 0 {
			t.Errorf("%s exited with %d", s.name, code)
		}
	}
	t.Logf("found: clients %s; %d registrations; emails per kind (registration, kind pairs): %s", stats.String(), len(regs), kinds.String())
	t.Logf("found: %d email rows, %d delivered, %d duplicates; seats held %d of %d", len(rows), len(ds), duplicates, held, capacity)
	recordFigures(t, "three instances", fmt.Sprintf("%d registrations, %d emails, %d delivered, %d duplicates, "+
		"periodic: %d expired, %d promoted, %d reminders, each once", len(regs), len(rows), len(ds), duplicates, expire, waiting, soon))
}
