package store_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/store"
)

func TestWithTimeouts(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want map[string]string // setting → value expected in the result
	}{
		{"a URL without settings gets both timeouts",
			"postgres://attend@127.0.0.1:5432/attend?sslmode=disable",
			map[string]string{"statement_timeout": "5000", "lock_timeout": "5000", "sslmode": "disable"}},
		{"a URL keeps its own statement_timeout",
			"postgres://attend@127.0.0.1/attend?statement_timeout=100",
			map[string]string{"statement_timeout": "100", "lock_timeout": "5000"}},
		{"a URL keeps its own lock_timeout",
			"postgresql://attend@db/attend?lock_timeout=250",
			map[string]string{"statement_timeout": "5000", "lock_timeout": "250"}},
		{"a key=value DSN gets both timeouts",
			"host=127.0.0.1 dbname=attend sslmode=disable",
			map[string]string{"statement_timeout": "5000", "lock_timeout": "5000", "host": "127.0.0.1"}},
		{"a key=value DSN keeps its own statement_timeout",
			"host=127.0.0.1 dbname=attend statement_timeout=100",
			map[string]string{"statement_timeout": "100", "lock_timeout": "5000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := store.WithTimeouts(tt.dsn, 5*time.Second)
			settings := parseDSN(t, got)
			for k, v := range tt.want {
				if settings[k] != v {
					t.Errorf("WithTimeouts(%q) = %q: %s = %q, want %q", tt.dsn, got, k, settings[k], v)
				}
			}
			for _, k := range []string{"statement_timeout", "lock_timeout"} {
				if n := strings.Count(got, k+"="); n != 1 {
					t.Errorf("WithTimeouts(%q) = %q has %s %d times, want once", tt.dsn, got, k, n)
				}
			}
		})
	}
}

// parseDSN reads the settings of a URL or key=value connection string.
func parseDSN(t *testing.T, dsn string) map[string]string {
	t.Helper()
	out := map[string]string{}
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("result %q is not a URL: %v", dsn, err)
		}
		for k, v := range u.Query() {
			out[k] = v[0]
		}
		return out
	}
	for _, kv := range strings.Fields(dsn) {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

func TestWithTimeoutsReachesPostgreSQL(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, store.WithTimeouts(pgtest.NewURL(t), 200*time.Millisecond), store.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	var setting string
	if err := db.GetContext(ctx, &setting, `SHOW statement_timeout`); err != nil {
		t.Fatal(err)
	}
	if setting != "200ms" {
		t.Errorf("statement_timeout = %q, want 200ms", setting)
	}
	if _, err := db.ExecContext(ctx, `SELECT pg_sleep(2)`); err == nil {
		t.Fatal("pg_sleep(2) succeeded despite a 200ms statement timeout")
	}

	// A registration stuck behind another transaction's lock on its event
	// gives up and says "unavailable", which the API answers with 503.
	st := store.New(db)
	st.Sealer = newSealer(t)
	org := &domain.Organizer{Email: "lead@example.org", Name: "Lead"}
	if err := st.CreateOrganizer(ctx, org); err != nil {
		t.Fatal(err)
	}
	rules := domain.NewRules()
	ev, err := rules.NewEvent(domain.EventInput{
		Slug: domain.Some("egov"), Title: domain.Some("Workshop"), Country: domain.Some("UZ"),
		Timezone: domain.Some("Asia/Tashkent"), StartsOn: domain.Some("2030-05-30"), EndsOn: domain.Some("2030-05-31"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEvent(ctx, org.ID, ev); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT id FROM events WHERE id = $1 FOR UPDATE`, ev.ID); err != nil {
		t.Fatal(err)
	}
	reg, err := rules.NewRegistration(person("dilnoza@example.uz"), ev, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Register(ctx, ev, reg)
	if code := domain.ErrorCode(err); code != domain.EUnavailable {
		t.Errorf("Register behind a held lock: %v (code %q), want code %q", err, code, domain.EUnavailable)
	}
}

func TestPingReportsAClosedDatabase(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, pgtest.NewURL(t), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := store.New(db)
	if err := st.Ping(ctx); err != nil {
		t.Fatalf("Ping on an open database: %v", err)
	}
	db.Close()
	if err := st.Ping(ctx); err == nil {
		t.Error("Ping on a closed database succeeded")
	}
}

func TestOpenRefusesAnUnreachableDatabase(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Port 1 on loopback is closed, so the connection is refused at once.
	_, err := store.Open(ctx, "postgres://attend@127.0.0.1:1/attend?sslmode=disable&connect_timeout=2", store.Options{})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
	if !strings.Contains(err.Error(), "store: connect") {
		t.Errorf("error = %v, want it to say the connection failed", err)
	}
}

func TestAnUnreachableDatabaseIsUnavailable(t *testing.T) {
	// sqlx.Open does not connect, so every use meets a refused connection:
	// the store must say "unavailable" (the API's 503), not panic or 500.
	db, err := sqlx.Open("postgres", "postgres://attend@127.0.0.1:1/attend?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := store.New(db)
	ctx := context.Background()
	checks := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return st.Ping(ctx) }},
		{"PublishedEvent", func() error { _, err := st.PublishedEvent(ctx, "egov"); return err }},
		{"PublishedEvents", func() error { _, err := st.PublishedEvents(ctx, true); return err }},
		{"OrganizerByTokenHash", func() error { _, err := st.OrganizerByTokenHash(ctx, domain.HashToken("x")); return err }},
	}
	for _, c := range checks {
		t.Run(c.name+" is unavailable", func(t *testing.T) {
			if code := domain.ErrorCode(c.call()); code != domain.EUnavailable {
				t.Errorf("code = %q, want %q", code, domain.EUnavailable)
			}
		})
	}
}
