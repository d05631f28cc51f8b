package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// BurstOptions bound part 2.
type BurstOptions struct {
	Requests int
	Within   time.Duration
	Capacity int
	P99Limit time.Duration
}

// decayPacer sends n arrivals within d at a rate that starts high and
// decays exponentially (time constant d/3), as when registration for a
// popular event opens: the peak rate is about three times the mean.
type decayPacer struct {
	n   uint64
	tau float64 // seconds
	r0  float64 // arrivals per second at t=0
}

func newDecayPacer(n int, d time.Duration) decayPacer {
	tau := d.Seconds() / 3
	return decayPacer{n: uint64(n), tau: tau, r0: float64(n) / (tau * (1 - math.Exp(-3)))}
}

// Pace places arrival k at the time the expected count reaches k.
func (p decayPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if hits >= p.n {
		return 0, true
	}
	x := float64(hits) / (p.r0 * p.tau)
	at := time.Duration(-p.tau * math.Log(1-x) * float64(time.Second))
	return at - elapsed, false
}

// Rate is the instantaneous arrival rate, for vegeta's Pacer interface.
func (p decayPacer) Rate(elapsed time.Duration) float64 {
	return p.r0 * math.Exp(-elapsed.Seconds()/p.tau)
}

// Burst is part 2: a rush of registrations for an event with few seats.
// Exactly capacity of them must hold a seat, the rest wait, none fails.
func Burst(ctx context.Context, e *Env, o BurstOptions) *Result {
	r := &Result{Part: "2 burst", Title: "registration rush on a small event"}
	a, srv, err := e.serveEvents(ctx, "burst",
		EventSpec{Slug: "bench-burst", Capacity: o.Capacity, Days: 2}, EventSpec{Slug: "bench-warm", Days: 1})
	if err != nil {
		r.Err = err
		return r
	}
	defer srv.Stop(10 * time.Second)
	var counter atomic.Int64
	attack(registrationTargeter(srv.URL, "bench-warm", "warm", &counter), constant(20), 2*time.Second, 202)

	pacer := newDecayPacer(o.Requests, o.Within)
	s := attack(registrationTargeter(srv.URL, "bench-burst", "burst", &counter), pacer, o.Within+time.Second, 202)
	e.Log.Printf("burst: %s", s)

	db, err := sql.Open("postgres", a.DSN)
	if err != nil {
		r.Err = err
		return r
	}
	defer db.Close()
	var held, holding, waiting, total int
	err = db.QueryRowContext(ctx, `
		SELECT event_seats_held(e.id),
		       count(*) FILTER (WHERE r.status IN ('pending', 'confirmed')),
		       count(*) FILTER (WHERE r.status = 'waitlisted'),
		       count(r.id)
		FROM events e LEFT JOIN registrations r ON r.event_id = e.id
		WHERE e.slug = 'bench-burst' GROUP BY e.id`).Scan(&held, &holding, &waiting, &total)
	if err != nil {
		r.Err = err
		return r
	}

	r.add(fmt.Sprintf("%d registrations within %s", o.Requests, o.Within),
		fmt.Sprintf("%d sent, %d answered 202, %d 5xx, %d other", s.Requests, s.OK, s.Server5xx(), s.Failed()-s.Server5xx()),
		"", "", "0 errors", check(s.Requests == o.Requests && s.Failed() == 0))
	r.add("seats held (SQL)", fmt.Sprintf("seats_held %d, pending+confirmed %d, waitlisted %d, rows %d", held, holding, waiting, total),
		"", "", fmt.Sprintf("exactly %d", o.Capacity),
		check(held == o.Capacity && holding == o.Capacity && total == s.OK && waiting == total-o.Capacity))
	r.add("latency", fmt.Sprintf("p50 %s, p99 %s, max %s", ms(s.P50), ms(s.P99), ms(s.Max)), "", "",
		"p99 ≤ "+ms(o.P99Limit), check(s.P99 <= o.P99Limit))
	r.note("Arrivals: %d in %s, open model, decaying exponentially from %.0f/s (time constant %.1f s), as when registration opens for a popular event; the mean rate is %.0f/s.",
		o.Requests, o.Within, pacer.r0, pacer.tau, float64(o.Requests)/o.Within.Seconds())
	r.note("Event capacity %d, counted in 16 seat parts: the first %d requests to lock a part with a seat get pending seats; once every part is empty, the others hold the event's seat lock, shared among them, look again and join the waiting list in parallel; the seats held (the parts' sum) and the statuses are read back in SQL.", o.Capacity, o.Capacity)
	for msg, n := range s.Errors {
		r.note("error ×%d: %s", n, msg)
	}
	r.note("Bounded by: a waitlisted registration is one transaction (BEGIN, the event's seat lock held shared, the look that finds every part empty and joins the list, COMMIT with its flush), after a first look at the parts in a statement of its own unless the event was read as full; seats are taken in parallel, and only a seat given back, a capacity changed or a promotion holds the seat lock alone (an advisory lock, queued in order, so a rush cannot keep a cancellation waiting).")
	return r
}
