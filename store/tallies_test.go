package store_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// recountQuery is how the statistics were counted before tallies: from
// every registration and check-in of the event, on every request. The
// tallies must always give what it gives.
const recountQuery = `
	WITH e AS (SELECT starts_on, ends_on FROM events WHERE id = $1),
	attended AS (
		SELECT c.registration_id FROM checkins c, e
		WHERE c.event_id = $1 AND c.day BETWEEN e.starts_on AND e.ends_on
		GROUP BY c.registration_id),
	r AS (
		SELECT id, status, country, role, coalesce(delegation, country) AS delegation
		FROM registrations WHERE event_id = $1)
	SELECT (GROUPING(r.delegation, r.country, r.role) << 1) | 1 AS grp,
		coalesce(r.delegation, '') AS delegation,
		coalesce(r.country, '') AS country, coalesce(r.role, '') AS role, NULL::date AS day,
		count(*) FILTER (WHERE r.status IN ('pending', 'confirmed', 'waitlisted')) AS registered,
		count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed,
		count(*) FILTER (WHERE r.status = 'pending') AS pending,
		count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted,
		count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled,
		count(*) FILTER (WHERE r.status = 'expired') AS expired,
		count(a.registration_id) AS attended
	FROM r
	LEFT JOIN attended a ON a.registration_id = r.id
	GROUP BY GROUPING SETS ((r.country), (r.role), (r.country, r.role), (),
		(r.delegation), (r.delegation, r.role))
	UNION ALL
	SELECT GROUPING(r.delegation, r.country, r.role, c.day) AS grp,
		coalesce(r.delegation, '') AS delegation,
		coalesce(r.country, '') AS country, coalesce(r.role, '') AS role, c.day,
		0, 0, 0, 0, 0, 0, count(*) AS attended
	FROM checkins c
	JOIN r ON r.id = c.registration_id
	CROSS JOIN e
	WHERE c.event_id = $1 AND c.day BETWEEN e.starts_on AND e.ends_on
	GROUP BY GROUPING SETS ((r.country, c.day), (r.role, c.day), (c.day), (r.delegation, c.day))`

// tallyQuery reads the tallies as store.EventStats does, without folding
// them first, so that the test sees appended and folded rows alike.
const tallyQuery = `
	WITH e AS (SELECT starts_on, ends_on FROM events WHERE id = $1),
	t AS (SELECT country, role, delegation, status, day, attended, n FROM registration_tallies WHERE event_id = $1)
	SELECT (GROUPING(t.delegation, t.country, t.role) << 1) | 1 AS grp,
		coalesce(t.delegation, '') AS delegation, coalesce(t.country, '') AS country, coalesce(t.role, '') AS role,
		NULL::date AS day,
		coalesce(sum(n) FILTER (WHERE t.status IN ('pending', 'confirmed', 'waitlisted')), 0) AS registered,
		coalesce(sum(n) FILTER (WHERE t.status = 'confirmed'), 0) AS confirmed,
		coalesce(sum(n) FILTER (WHERE t.status = 'pending'), 0) AS pending,
		coalesce(sum(n) FILTER (WHERE t.status = 'waitlisted'), 0) AS waitlisted,
		coalesce(sum(n) FILTER (WHERE t.status = 'cancelled'), 0) AS cancelled,
		coalesce(sum(n) FILTER (WHERE t.status = 'expired'), 0) AS expired,
		coalesce(sum(n) FILTER (WHERE t.attended), 0) AS attended
	FROM t WHERE t.day IS NULL
	GROUP BY GROUPING SETS ((t.country), (t.role), (t.country, t.role), (), (t.delegation), (t.delegation, t.role))
	HAVING sum(n) > 0
	UNION ALL
	SELECT GROUPING(t.delegation, t.country, t.role, t.day) AS grp,
		coalesce(t.delegation, '') AS delegation, coalesce(t.country, '') AS country, coalesce(t.role, '') AS role, t.day,
		0, 0, 0, 0, 0, 0, sum(n) AS attended
	FROM t CROSS JOIN e WHERE t.day BETWEEN e.starts_on AND e.ends_on
	GROUP BY GROUPING SETS ((t.country, t.day), (t.role, t.day), (t.day), (t.delegation, t.day))
	HAVING sum(n) > 0`

// statsLines runs a statistics query and returns its rows as sorted text.
func (r *storeRig) statsLines(query string, eventID int64) []string {
	r.t.Helper()
	rows, err := r.db.QueryxContext(r.ctx, query, eventID)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		cols, err := rows.SliceScan()
		if err != nil {
			r.t.Fatal(err)
		}
		line := make([]string, len(cols))
		for i, c := range cols {
			if b, ok := c.([]byte); ok {
				c = string(b)
			}
			if d, ok := c.(time.Time); ok {
				c = d.Format(time.DateOnly)
			}
			line[i] = fmt.Sprint(c)
		}
		out = append(out, strings.Join(line, " "))
	}
	if err := rows.Err(); err != nil {
		r.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestTalliesCountWhatARecountCounts takes an event through everything
// that changes its statistics, and after each step compares what the
// tallies say (before and after folding) with a count from the rows.
func TestTalliesCountWhatARecountCounts(t *testing.T) {
	r := newStoreRig(t)
	ev := r.newEvent(6)
	other := r.newEvent(0) // its changes must not touch ev's tallies
	start := time.Now().Add(-time.Hour)
	regs := r.signUpMany(ev, 10, start)
	r.signUpMany(other, 3, start)
	days := ev.Days()
	checkIn := func(reg *domain.Registration, day domain.Date) {
		t.Helper()
		if _, _, err := r.st.CheckIn(r.ctx, r.org.ID, ev.Slug, store.CheckinRequest{RegistrationID: reg.ID, Day: day}); err != nil {
			t.Fatalf("check in %s on %s: %v", reg.Email, day, err)
		}
	}
	steps := []struct {
		name string
		do   func()
	}{
		{"ten sign-ups, six seated and four waiting", func() {}},
		{"confirmations", func() { r.confirm(regs[0].ID); r.confirm(regs[1].ID); r.confirm(regs[7].ID) }},
		{"check-ins on both days, twice on one", func() {
			checkIn(regs[0], days[0])
			checkIn(regs[0], days[1])
			checkIn(regs[1], days[1])
			checkIn(regs[1], days[1])
		}},
		{"a cancellation that promotes", func() { r.cancel(regs[2].ID) }},
		{"a cancelled address registering again", func() {
			again := r.f.newRegistration(t, ev, person(regs[2].Email), time.Now())
			if res, err := r.st.Register(r.ctx, ev, again); err != nil || !res.Created {
				t.Fatalf("register %s again: created %v, %v", regs[2].Email, res.Created, err)
			}
		}},
		{"a check-in undone, the person's last", func() {
			if err := r.st.UndoCheckIn(r.ctx, r.org.ID, ev.Slug, regs[1].ID, days[1].String()); err != nil {
				t.Fatal(err)
			}
		}},
		{"check-ins in bulk, several per person in one statement", func() {
			r.exec(`INSERT INTO checkins (registration_id, event_id, day)
				SELECT r.id, r.event_id, d FROM registrations r, unnest($2::date[]) AS d
				WHERE r.event_id = $1 AND r.status IN ('pending', 'confirmed') ON CONFLICT DO NOTHING`,
				ev.ID, "{"+days[0].String()+","+days[1].String()+"}")
		}},
		{"a check-in outside the event's days", func() {
			r.exec(`INSERT INTO checkins (registration_id, event_id, day) VALUES ($1, $2, $3)`,
				regs[3].ID, ev.ID, days[0].AddDays(-3).String())
		}},
		{"every check-in of one day removed in one statement", func() {
			r.exec(`DELETE FROM checkins WHERE event_id = $1 AND day = $2`, ev.ID, days[1].String())
		}},
		{"a change of country and delegation", func() {
			r.exec(`UPDATE registrations SET country = 'KZ', delegation = 'UNDP' WHERE id = $1`, regs[0].ID)
		}},
		{"a stamp that counts nothing", func() {
			r.exec(`UPDATE registrations SET reminder_queued_at = now() WHERE event_id = $1`, ev.ID)
		}},
		{"the event's days moved", func() {
			r.exec(`UPDATE events SET starts_on = starts_on - 3 WHERE id = $1`, ev.ID)
		}},
		{"an erasure", func() {
			if err := r.st.EraseRegistration(r.ctx, r.org.ID, ev.Slug, regs[4].ID); err != nil {
				t.Fatal(err)
			}
		}},
		{"registrations deleted, their check-ins with them", func() {
			if _, err := r.st.ClearForReseed(r.ctx, ev.ID, []string{regs[5].Email, regs[8].Email}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, step := range steps {
		step.do()
		want := r.statsLines(recountQuery, ev.ID)
		if got := r.statsLines(tallyQuery, ev.ID); !slices.Equal(got, want) {
			t.Errorf("after %s, tallies:\n%s\nwant:\n%s", step.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if _, err := r.st.EventStats(r.ctx, ev); err != nil { // folds
			t.Fatal(err)
		}
		if got := r.statsLines(tallyQuery, ev.ID); !slices.Equal(got, want) {
			t.Errorf("after %s, folded tallies:\n%s\nwant:\n%s", step.name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if got, want := r.statsLines(tallyQuery, other.ID), r.statsLines(recountQuery, other.ID); !slices.Equal(got, want) {
		t.Errorf("the other event's tallies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var unfolded int
	if err := r.db.GetContext(r.ctx, &unfolded, `SELECT count(*) FROM registration_tallies WHERE event_id = $1 AND NOT folded`, ev.ID); err != nil || unfolded != 0 {
		t.Errorf("%d rows left unfolded after reading the statistics (%v)", unfolded, err)
	}
}
