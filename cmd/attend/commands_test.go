package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
)

// testSecret is a SECRET_KEY for commands that need one.
const testSecret = "a-command-test-secret-of-32-characters-or-more"

// cli runs attend's commands in-process against one environment.
type cli struct {
	t    *testing.T
	env  map[string]string
	conn *sqlx.DB
}

// newCLI is a command line whose DATABASE_URL is a fresh, migrated database.
func newCLI(t *testing.T) *cli {
	return &cli{t: t, env: map[string]string{"DATABASE_URL": pgtest.NewURL(t), "SECRET_KEY": testSecret}}
}

func (c *cli) getenv(k string) string { return c.env[k] }

// run runs one command and returns what it printed.
func (c *cli) run(args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	return c.runWithInput("", args...)
}

func (c *cli) runWithInput(stdin string, args ...string) (stdout, stderr string, err error) {
	c.t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, c.getenv, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

// must runs a command that has to succeed and returns its standard output.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	out, errOut, err := c.run(args...)
	if err != nil {
		c.t.Fatalf("attend %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// db opens the command line's database for checks.
func (c *cli) db() *sqlx.DB {
	c.t.Helper()
	if c.conn == nil {
		db, err := sqlx.Open("postgres", c.env["DATABASE_URL"])
		if err != nil {
			c.t.Fatal(err)
		}
		c.t.Cleanup(func() { db.Close() })
		c.conn = db
	}
	return c.conn
}

func (c *cli) count(query string) int {
	c.t.Helper()
	var n int
	if err := c.db().Get(&n, query); err != nil {
		c.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestRunWithoutACommandFails(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), nil, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil {
		t.Fatal("run with no arguments succeeded")
	}
	if !strings.Contains(errOut.String(), "Usage:") {
		t.Errorf("no usage on standard error: %q", errOut.String())
	}
}

func TestRunRefusesAnUnknownCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("error = %v, want one naming the unknown command", err)
	}
	if out.Len() != 0 {
		t.Errorf("an unknown command printed on standard output: %q", out.String())
	}
}

func TestHelpPrintsUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"help"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"serve", "migrate", "organizer add", "token create", "demo"} {
		if !strings.Contains(out.String(), cmd) {
			t.Errorf("usage does not mention %q", cmd)
		}
	}
}

func TestCommandsNeedDatabaseURL(t *testing.T) {
	for _, args := range [][]string{
		{"migrate"},
		{"organizer", "add", "--email", "lead@example.org", "--name", "Lead"},
		{"token", "create", "--email", "lead@example.org"},
		{"demo"},
		{"serve"},
	} {
		t.Run(args[0]+" without DATABASE_URL is a one-line error naming it", func(t *testing.T) {
			c := &cli{t: t, env: map[string]string{"SECRET_KEY": testSecret}}
			_, _, err := c.run(args...)
			if err == nil {
				t.Fatal("succeeded without DATABASE_URL")
			}
			if !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line naming DATABASE_URL", err)
			}
		})
	}
}

func TestServeNeedsSecretKey(t *testing.T) {
	c := &cli{t: t, env: map[string]string{"DATABASE_URL": "postgres://attend@127.0.0.1:1/attend?sslmode=disable"}}
	_, _, err := c.run("serve")
	if err == nil || !strings.Contains(err.Error(), "SECRET_KEY") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error = %v, want one line naming SECRET_KEY", err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	c := newCLI(t)
	for range 2 {
		if out := c.must("migrate"); !strings.Contains(out, "migrations applied") {
			t.Errorf("migrate printed %q", out)
		}
	}
}

func TestOrganizerAdd(t *testing.T) {
	c := newCLI(t)
	out := c.must("organizer", "add", "--email", "Lead@Example.org", "--name", "Dilnoza Yusupova")
	if !strings.Contains(out, "lead@example.org") {
		t.Errorf("organizer add printed %q", out)
	}

	tests := []struct {
		name string
		args []string
		want string // in the error
	}{
		{"the same email again", []string{"--email", "lead@example.org", "--name", "Other"}, "already exists"},
		{"the same email in another case", []string{"--email", "LEAD@example.org", "--name", "Other"}, "already exists"},
		{"an invalid email", []string{"--email", "not-an-email", "--name", "Lead"}, "Email"},
		{"no name", []string{"--email", "other@example.org"}, "Name"},
		{"an unknown flag", []string{"--email", "other@example.org", "--name", "X", "--admin", "yes"}, "--admin"},
		{"a flag without a value", []string{"--email"}, "--email"},
		{"a stray argument", []string{"other@example.org"}, "other@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is an error", func(t *testing.T) {
			_, _, err := c.run(append([]string{"organizer", "add"}, tt.args...)...)
			if err == nil {
				t.Fatalf("succeeded, want an error mentioning %q", tt.want)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines", err)
			}
		})
	}
	if n := c.count(`SELECT count(*) FROM organizers`); n != 1 {
		t.Errorf("%d organizers, want 1", n)
	}
}

func TestTokenCreatePrintsOnlyTheToken(t *testing.T) {
	c := newCLI(t)
	c.must("organizer", "add", "--email", "lead@example.org", "--name", "Lead")
	out := c.must("token", "create", "--email", "LEAD@example.org")
	if len(out) != domain.TokenLength+1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("stdout = %q, want exactly a 43-character token and a newline", out)
	}
	token := strings.TrimSuffix(out, "\n")
	if !domain.ValidTokenSyntax(token) {
		t.Errorf("%q is not a token", token)
	}
	var n int
	if err := c.db().Get(&n, `SELECT count(*) FROM api_tokens WHERE token_hash = $1`, domain.HashToken(token)); err != nil || n != 1 {
		t.Errorf("the token's hash is stored %d times (%v), want once", n, err)
	}
	if other := c.must("token", "create", "--email", "lead@example.org"); other == out {
		t.Error("two tokens are the same")
	}

	for _, args := range [][]string{
		{"token", "create", "--email", "nobody@example.org"},
		{"token", "create"},
		{"token", "list"},
	} {
		t.Run(strings.Join(args, " ")+" is an error with nothing on stdout", func(t *testing.T) {
			out, _, err := c.run(args...)
			if err == nil || out != "" {
				t.Errorf("stdout %q, error %v; want an error and no output", out, err)
			}
		})
	}
}

func TestDemoIsIdempotent(t *testing.T) {
	c := newCLI(t)
	counts := func() (events, registrations, organizers int) {
		return c.count(`SELECT count(*) FROM events`), c.count(`SELECT count(*) FROM registrations`), c.count(`SELECT count(*) FROM organizers`)
	}
	first := c.must("demo")
	e1, r1, o1 := counts()
	second := c.must("demo")
	e2, r2, o2 := counts()

	// Three organizers: the demo's, and its team (a co-organizer and door staff).
	if e1 != 2 || o1 != 3 || r1 == 0 {
		t.Errorf("after one demo: %d events, %d registrations, %d organizers; want 2, some, 3", e1, r1, o1)
	}
	if e2 != e1 || r2 != r1 || o2 != o1 {
		t.Errorf("the second demo changed the counts: %d/%d/%d → %d/%d/%d", e1, r1, o1, e2, r2, o2)
	}
	for i, out := range []string{first, second} {
		token := strings.TrimSuffix(out, "\n")
		if len(out) != domain.TokenLength+1 || !domain.ValidTokenSyntax(token) {
			t.Errorf("demo run %d printed %q, want only a token", i+1, out)
		}
	}
	if first == second {
		t.Error("both demo runs printed the same token")
	}
	var seats int
	if err := c.db().Get(&seats, `SELECT event_seats_held(id) FROM events WHERE slug = 'egov-tashkent-2019'`); err != nil || seats != r1 {
		t.Errorf("seats held = %d (%v), want %d: the second run must not take seats again", seats, err, r1)
	}
}
