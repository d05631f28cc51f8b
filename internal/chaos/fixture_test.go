//go:build linux

package chaos

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
)

const organizerEmail = "chaos-organizer@attend.test"

// organizerToken creates the organizer with the real binary and returns a
// fresh API token for them (`attend organizer add`, `attend token create`).
func organizerToken(t *testing.T, e env) string {
	t.Helper()
	runAttend(t, e, "", "organizer", "add", "--email", organizerEmail, "--name", "Chaos Organizer")
	return runAttend(t, e, "", "token", "create", "--email", organizerEmail)
}

// eventSpec is an event to create; zero fields take the defaults below.
type eventSpec struct {
	slug               string
	startsOn           time.Time // default: in 60 days
	capacity           int       // 0: unlimited
	confirmWithinHours int       // 0: the server's default (72)
	dayStartsAt        string    // default 09:00
	reminderDaysBefore *int
}

// createEvent creates an event through the API and returns its slug.
func createEvent(t *testing.T, base, token string, spec eventSpec) string {
	t.Helper()
	if spec.startsOn.IsZero() {
		spec.startsOn = time.Now().UTC().AddDate(0, 0, 60)
	}
	day := spec.startsOn.Format(time.DateOnly)
	in := map[string]any{
		"slug": spec.slug, "title": "Chaos " + spec.slug, "country": "UZ", "timezone": "UTC",
		"starts_on": day, "ends_on": day, "day_ends_at": "23:59",
	}
	if spec.dayStartsAt != "" {
		in["day_starts_at"] = spec.dayStartsAt
	}
	if spec.capacity > 0 {
		in["capacity"] = spec.capacity
	}
	if spec.confirmWithinHours > 0 {
		in["confirm_within_hours"] = spec.confirmWithinHours
	}
	if spec.reminderDaysBefore != nil {
		in["reminder_days_before"] = *spec.reminderDaysBefore
	}
	body, _ := json.Marshal(in) // a map of plain values always encodes
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/events", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("create event %s: %v", spec.slug, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("create event %s: %s %s", spec.slug, resp.Status, b)
	}
	return spec.slug
}

// openDB connects the test itself to the database, to inspect and to
// inject (backdating, locks); it is closed when the test ends.
func openDB(t *testing.T, url string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a SELECT count(*)-like query that returns one integer.
func count(t *testing.T, db *sqlx.DB, query string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := db.GetContext(ctx, &n, query, args...); err != nil {
		t.Fatalf("%s: %v", strings.Join(strings.Fields(query), " "), err)
	}
	return n
}

// emailRow is one outbox row as the checks need it.
type emailRow struct {
	ID             int64   `db:"id"`
	RegistrationID *string `db:"registration_id"`
	Kind           string  `db:"kind"`
	Recipient      string  `db:"recipient"`
	MessageID      string  `db:"message_id"`
	Status         string  `db:"status"`
	Attempts       int     `db:"attempts"`
	LastError      *string `db:"last_error"`
}

func emailRows(t *testing.T, db *sqlx.DB) []emailRow {
	t.Helper()
	var rows []emailRow
	if err := db.Select(&rows, `
		SELECT id, registration_id, kind, recipient, message_id, status, attempts, last_error
		FROM emails ORDER BY id`); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return rows
}

// checkNoOrphans is the pair of anti-joins every case ends with: no
// registration without its email row and no email row without its
// registration. The first is what one transaction per use case promises.
func checkNoOrphans(t *testing.T, db *sqlx.DB) {
	t.Helper()
	noEmail := count(t, db, `
		SELECT count(*) FROM registrations r
		WHERE NOT EXISTS (SELECT 1 FROM emails e WHERE e.registration_id = r.id)`)
	noReg := count(t, db, `
		SELECT count(*) FROM emails e
		WHERE e.registration_id IS NULL
		   OR NOT EXISTS (SELECT 1 FROM registrations r WHERE r.id = e.registration_id)`)
	t.Logf("anti-joins: %d registrations without an email row, %d email rows without a registration", noEmail, noReg)
	if noEmail != 0 || noReg != 0 {
		t.Errorf("half-written use cases: %d registrations without email, %d emails without registration", noEmail, noReg)
	}
}

// waitOutboxEmpty waits until no email is queued or being sent: each has
// been sent or has failed.
func waitOutboxEmpty(t *testing.T, db *sqlx.DB, timeout time.Duration) {
	t.Helper()
	waitFor(t, timeout, "outbox drained", func() (bool, string) { return outboxDrained(db) })
}

// outboxDrained reports whether no email is queued or being sent, and the
// count of emails in each status.
func outboxDrained(db *sqlx.DB) (bool, string) {
	var st []struct {
		Status string `db:"status"`
		N      int    `db:"n"`
	}
	if err := db.Select(&st, `SELECT status, count(*) AS n FROM emails GROUP BY status ORDER BY status`); err != nil {
		return false, err.Error()
	}
	busy := 0
	var b strings.Builder
	for _, s := range st {
		if s.Status == "queued" || s.Status == "sending" {
			busy += s.N
		}
		b.WriteString(s.Status + "=" + strconv.Itoa(s.N) + " ")
	}
	return busy == 0, b.String()
}
