package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/attend/attend/store"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// capacitySeats is the capacity of part 1's event with a capacity: more
// than any run registers, so seats are left throughout.
const capacitySeats = 1_000_000

// RegistrationOptions bound part 1.
type RegistrationOptions struct {
	Probe    time.Duration // one step of the search
	Confirm  time.Duration // the run that must pass at the found rate
	Latency  time.Duration // each of the 50% and 90% runs
	Pgbench  time.Duration
	P99Limit time.Duration
	MaxSteps int // probes in the search, at most
}

// serveEnv is how the registration parts run attend serve: the mail worker
// off (part 3 measures it alone, and on two cores it would take CPU from
// the requests being measured), and the per-IP limit raised because every
// request comes from 127.0.0.1.
var serveEnv = map[string]string{
	"WORKER":               "false",
	"REGISTER_RATE_LIMIT":  "1000000",
	"REGISTER_RATE_WINDOW": "1s",
}

// Registrations is part 1: the highest constant arrival rate of new
// registrations attend sustains, for an event without capacity and for one
// with seats left, against pgbench running the least a registration must
// write (bench/pgbench/minimal.sql), which inherits nothing of attend's
// design.
func Registrations(ctx context.Context, e *Env, o RegistrationOptions) *Result {
	r := &Result{Part: "1 registrations", Title: "sustained registration rate"}
	a, srv, err := e.serveEvents(ctx, "reg", EventSpec{Slug: "bench-http", Days: 2},
		EventSpec{Slug: "bench-capacity", Capacity: capacitySeats, Days: 2}, EventSpec{Slug: "bench-pgbench", Days: 2})
	if err != nil {
		r.Err = err
		return r
	}
	defer srv.Stop(10 * time.Second)
	db, err := sql.Open("postgres", a.DSN)
	if err != nil {
		r.Err = err
		return r
	}
	defer db.Close()
	var pgbenchEvent int64
	if err := db.QueryRowContext(ctx, `SELECT id FROM events WHERE slug = 'bench-pgbench'`).Scan(&pgbenchEvent); err != nil {
		r.Err = err
		return r
	}

	// The baseline runs twice, before the search (its rate bounds the
	// search) and after the last attend run; the better of the two is the
	// one compared, so that a quieter moment of a shared machine favours
	// the baseline, never attend.
	baseline := func() (PgbenchResult, error) {
		if _, err := db.ExecContext(ctx, `VACUUM events, seat_parts`); err != nil {
			return PgbenchResult{}, err
		}
		e.Log.Printf("registrations: pgbench baseline, %d clients for %s", e.DBMaxOpenConns, o.Pgbench)
		before := cpuNow(0)
		pg, err := e.pgbench(ctx, a.DSN, "minimal.sql", e.DBMaxOpenConns, o.Pgbench, map[string]string{
			"eid": strconv.FormatInt(pgbenchEvent, 10)})
		pg.CPU = cpuNow(0).since(before)
		if err == nil {
			e.Log.Printf("registrations: pgbench %.0f tps, average latency %.1f ms", pg.TPS, pg.LatencyMS)
		}
		return pg, err
	}
	pg, err := baseline()
	if err != nil {
		r.Err = err
		return r
	}
	firstTPS := pg.TPS

	var counter atomic.Int64
	target := registrationTargeter(srv.URL, "bench-http", "load", &counter)
	// Every step starts from the same state as the baseline did: the seat
	// parts' dead versions vacuumed away, nothing in flight.
	vacuum := func() {
		if _, err := db.ExecContext(ctx, `VACUUM events, seat_parts`); err != nil {
			e.Log.Printf("registrations: vacuum: %v", err)
		}
	}
	capTarget := registrationTargeter(srv.URL, "bench-capacity", "cap", &counter)
	probeOf := func(target vegeta.Targeter, rate float64, d time.Duration) (Summary, bool) {
		vacuum()
		s := attack(target, constant(rate), d, 202)
		ok := s.Failed() == 0 && s.P99 <= o.P99Limit
		e.Log.Printf("registrations: %s → %s", s, map[bool]string{true: "ok", false: "too much"}[ok])
		for msg, n := range s.Errors {
			e.Log.Printf("registrations:   ×%d %s", n, msg)
		}
		// Let the server and the database settle between steps; longer
		// after a rate too high, whose queue the server is still working
		// off or dropping.
		settle := 2 * time.Second
		if !ok {
			settle = 5 * time.Second
		}
		sleepCtx(ctx, settle)
		return s, ok
	}
	probe := func(rate float64, d time.Duration) (Summary, bool) { return probeOf(target, rate, d) }
	// Warm-up, as pgbench connects all its clients before its clock starts:
	// as many clients as attend has database connections, back to back, so
	// every connection of the pool is open and its caches are warm before
	// the first measured step (a cold pool made the first step's tail).
	vacuum()
	warm := closedLoop(target, e.DBMaxOpenConns, 3*time.Second, 202)
	e.Log.Printf("registrations: warm-up, %d clients: %s", e.DBMaxOpenConns, warm)
	sleepCtx(ctx, 2*time.Second)

	// A rate counts as too much only when two probes in a row fail at it:
	// on a shared machine one 5 s probe can catch another process's burst,
	// and a single failure would cap the search there.
	holds := func(rate float64) bool {
		if _, ok := probe(rate, o.Probe); ok {
			return true
		}
		_, ok := probe(rate, o.Probe)
		return ok
	}

	// Step up from half the baseline by ×1.5 until a rate fails, then
	// bisect; then the found rate must pass a full-length run.
	lo, hi := 0.0, 0.0
	rate := math.Max(10, math.Round(pg.TPS*0.5))
	steps := 0
	for ; steps < o.MaxSteps && ctx.Err() == nil; steps++ {
		if holds(rate) {
			lo = rate
		} else {
			hi = rate
			break
		}
		if rate > 3*pg.TPS {
			break
		}
		rate = math.Round(rate * 1.5)
	}
	for ; hi > 0 && steps < o.MaxSteps && hi/math.Max(lo, 1) > 1.08 && ctx.Err() == nil; steps++ {
		mid := math.Round((lo + hi) / 2)
		if lo == 0 {
			mid = math.Round(hi / 2)
		}
		if holds(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		lo = math.Max(1, math.Round(hi/2))
	}
	e.Log.Printf("registrations: confirming %.0f/s for %s", lo, o.Confirm)
	var confirm Summary
	sustained := 0.0
	for try := 0; try < 6 && ctx.Err() == nil && lo >= 1; try++ {
		s, ok := probe(lo, o.Confirm)
		confirm = s
		if ok {
			sustained = lo
			break
		}
		lo = math.Round(lo * 0.9)
	}
	if err := ctx.Err(); err != nil {
		r.Err = err
		return r
	}
	// At 50% and 90% of the sustained rate (none when nothing was sustained:
	// a zero rate would mean "as fast as possible" to vegeta).
	var half, ninety Summary
	if sustained >= 2 {
		half, _ = probe(math.Round(sustained*0.5), o.Latency)
		ninety, _ = probe(math.Round(sustained*0.9), o.Latency)
	}
	vacuum()
	cpuBefore := cpuNow(srv.PID())
	closed := closedLoop(target, e.DBMaxOpenConns, o.Latency, 202)
	closedCPU := cpuNow(srv.PID()).since(cpuBefore)
	e.Log.Printf("registrations: closed loop, %d clients: %.0f/s, %s", e.DBMaxOpenConns, closed.Throughput, closed)
	// The HTTP floor, as fast as it goes and at attend's closed-loop rate:
	// a request costs more CPU at a lower rate, where every one wakes
	// sleeping threads, so the second is the floor attend is held to.
	floor, floorCPU, err := httpFloor(ctx, func(t vegeta.Targeter) Summary { return closedLoop(t, e.DBMaxOpenConns, o.Latency, 202) })
	if err != nil {
		r.Err = fmt.Errorf("bench: HTTP floor: %w", err)
		return r
	}
	// At a rate below 1/s (the closed loop answered next to nothing),
	// vegeta would read the rate as "unlimited": no paced floor then.
	var paced Summary
	var pacedCPU cpuUse
	if closed.Throughput >= 1 {
		paced, pacedCPU, err = httpFloor(ctx, func(t vegeta.Targeter) Summary { return attack(t, constant(closed.Throughput), o.Latency, 202) })
		if err != nil {
			r.Err = fmt.Errorf("bench: HTTP floor: %w", err)
			return r
		}
	}
	e.Log.Printf("registrations: HTTP floor, closed loop, %d clients: %.0f/s, %s; at %.0f/s: %s", e.DBMaxOpenConns, floor.Throughput, floor, closed.Throughput, paced)

	// The event with a capacity (seats left throughout): the highest of
	// the no-capacity sustained rate and 10% steps below it that holds the
	// short probes as the search's rates do, then the full run there, else 10%
	// lower (up to 4 tries); and the closed loop. Short probes first, so
	// that one rate just too high (it makes a 30 s queue of seconds) does
	// not use up the tries.
	capHolds := func(rate float64) bool {
		if _, ok := probeOf(capTarget, rate, o.Probe); ok {
			return true
		}
		_, ok := probeOf(capTarget, rate, o.Probe)
		return ok
	}
	capRate := sustained
	for try := 0; try < 8 && capRate >= 1 && ctx.Err() == nil && !capHolds(capRate); try++ {
		capRate = math.Round(capRate * 0.9)
	}
	capSustained := 0.0
	var capRun Summary
	for try := 0; try < 4 && capRate >= 1 && ctx.Err() == nil; capRate, try = math.Round(capRate*0.9), try+1 {
		s, ok := probeOf(capTarget, capRate, o.Confirm)
		capRun = s
		if ok {
			capSustained = capRate
			break
		}
	}
	vacuum()
	capClosed := closedLoop(capTarget, e.DBMaxOpenConns, o.Latency, 202)
	e.Log.Printf("registrations: capacity event, closed loop, %d clients: %.0f/s, %s", e.DBMaxOpenConns, capClosed.Throughput, capClosed)
	pg2, err := baseline()
	if err != nil {
		r.Err = err
		return r
	}
	if pg2.TPS > pg.TPS {
		pg = pg2
	}
	// A reference for the batched design, not a baseline: the minimal
	// statement writing eight registrations at a time.
	vacuum()
	e.Log.Printf("registrations: pgbench, eight registrations a statement, %d clients for %s", e.DBMaxOpenConns, o.Pgbench)
	pg8, err := e.pgbench(ctx, a.DSN, "minimal-8.sql", e.DBMaxOpenConns, o.Pgbench, map[string]string{
		"eid": strconv.FormatInt(pgbenchEvent, 10)})
	if err != nil {
		r.Err = err
		return r
	}

	var regs, emails, capRegs, capHeld, commits int
	if err := db.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'bench-http'),
		       (SELECT count(DISTINCT r.xmin::text) FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'bench-http'),
		       (SELECT count(*) FROM emails m JOIN events e ON e.id = m.event_id WHERE e.slug = 'bench-http'),
		       (SELECT count(*) FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.slug = 'bench-capacity'),
		       (SELECT event_seats_held(id) FROM events WHERE slug = 'bench-capacity')`).Scan(&regs, &commits, &emails, &capRegs, &capHeld); err != nil {
		r.Err = err
		return r
	}

	r.add(fmt.Sprintf("sustained rate, %s at 0 errors and p99 ≤ %s", o.Confirm, ms(o.P99Limit)),
		fmt.Sprintf("%.0f/s", sustained), fmt.Sprintf("pgbench %.0f tps (c=%d; runs: %.0f, %.0f)", pg.TPS, e.DBMaxOpenConns, firstTPS, pg2.TPS),
		ratio(sustained, pg.TPS), "≥ 0.70", check(sustained > 0 && sustained/pg.TPS >= 0.7))
	r.add(fmt.Sprintf("latency at the sustained rate (%.0f/s)", sustained),
		fmt.Sprintf("p50 %s, p99 %s", ms(confirm.P50), ms(confirm.P99)), "", "", "p99 ≤ "+ms(o.P99Limit), check(sustained > 0))
	r.add(fmt.Sprintf("event with capacity (seats left), %s at 0 errors and p99 ≤ %s", o.Confirm, ms(o.P99Limit)),
		fmt.Sprintf("%.0f/s, p50 %s, p99 %s", capSustained, ms(capRun.P50), ms(capRun.P99)), fmt.Sprintf("pgbench %.0f tps", pg.TPS),
		ratio(capSustained, pg.TPS), "≥ 0.50", check(capSustained > 0 && capSustained/pg.TPS >= 0.5))
	r.add(fmt.Sprintf("event with capacity, %d clients back to back (closed loop, %s)", e.DBMaxOpenConns, o.Latency),
		fmt.Sprintf("%.0f/s, p50 %s, p99 %s, %d failed", capClosed.Throughput, ms(capClosed.P50), ms(capClosed.P99), capClosed.Failed()),
		fmt.Sprintf("pgbench %.0f tps", pg.TPS), ratio(capClosed.Throughput, pg.TPS), "", Info)
	r.add(fmt.Sprintf("throughput, %d clients back to back (closed loop, %s)", e.DBMaxOpenConns, o.Latency),
		fmt.Sprintf("%.0f/s, p50 %s, p99 %s, %d failed", closed.Throughput, ms(closed.P50), ms(closed.P99), closed.Failed()),
		fmt.Sprintf("pgbench %.0f tps, avg %.1f ms", pg.TPS, pg.LatencyMS), ratio(closed.Throughput, pg.TPS), "", Info)
	// Where the processor time goes, per registration and per pgbench
	// transaction: with both cores busy, the throughput ratio cannot
	// exceed the ratio of the machine's CPU per operation.
	n, pn := float64(closed.OK), float64(pg.Transactions)
	r.add("CPU per registration, closed loop (machine: attend, PostgreSQL, load generator)",
		fmt.Sprintf("%s: %s, %s, %s", per(closedCPU.Machine, n), per(closedCPU.Attend, n), per(closedCPU.Postgres, n), per(closedCPU.Self, n)),
		fmt.Sprintf("pgbench %s: PostgreSQL %s, pgbench %s", per(pg.CPU.Machine, pn), per(pg.CPU.Postgres, pn), per(pg.CPU.Children, pn)),
		cpuRatio([][2]float64{{float64(pg.CPU.Machine), pn}}, [][2]float64{{float64(closedCPU.Machine), n}}), "", Info)
	// The best attend could do on this machine at its closed-loop rate:
	// PostgreSQL doing no more than the baseline's transaction, and HTTP
	// costing no more than the floor server (net/http, JSON decoded,
	// nothing else) with the same load generator at the same rate.
	fn, pacedN := float64(floor.OK), float64(paced.OK)
	bound := cpuRatio([][2]float64{{float64(pg.CPU.Machine), pn}},
		[][2]float64{{float64(pg.CPU.Postgres), pn}, {float64(pacedCPU.Self), pacedN}})
	r.add(fmt.Sprintf("HTTP floor: net/http decoding the body and answering 202, same load generator, %d clients (closed loop, %s)", e.DBMaxOpenConns, o.Latency),
		fmt.Sprintf("%.0f/s, p50 %s, p99 %s, %d failed; CPU per request %s (machine %s)", floor.Throughput, ms(floor.P50), ms(floor.P99), floor.Failed(), per(floorCPU.Self, fn), per(floorCPU.Machine, fn)),
		"", "", "", Info)
	r.add(fmt.Sprintf("HTTP floor at attend's closed-loop rate (%.0f/s, %s)", closed.Throughput, o.Latency),
		fmt.Sprintf("p50 %s, p99 %s, %d failed; CPU per request %s (machine %s)", ms(paced.P50), ms(paced.P99), paced.Failed(), per(pacedCPU.Self, pacedN), per(pacedCPU.Machine, pacedN)),
		"", "", "", Info)
	r.add("CPU bound: PostgreSQL doing only the baseline's transaction, HTTP at the floor at that rate",
		fmt.Sprintf("%s + %s per registration", per(pg.CPU.Postgres, pn), per(pacedCPU.Self, pacedN)),
		fmt.Sprintf("pgbench %s", per(pg.CPU.Machine, pn)), bound, "", Info)
	r.add("reference: the baseline's statement writing 8 registrations at a time (closed loop, same clients)",
		fmt.Sprintf("%.0f registrations/s (%.0f statements/s, avg %.1f ms)", pg8.TPS*8, pg8.TPS, pg8.LatencyMS), "",
		ratio(sustained, pg8.TPS*8), "", Info)
	r.add(fmt.Sprintf("latency at 50%% (%.0f/s)", half.Rate),
		fmt.Sprintf("p50 %s, p99 %s", ms(half.P50), ms(half.P99)), fmt.Sprintf("pgbench avg %.1f ms", pg.LatencyMS), "", "", Info)
	r.add(fmt.Sprintf("latency at 90%% (%.0f/s)", ninety.Rate),
		fmt.Sprintf("p50 %s, p99 %s", ms(ninety.P50), ms(ninety.P99)), "", "", "", Info)

	r.note("Load: vegeta as a library, open model (constant arrival rate, new connection only when all are busy, at most %d: past that, the wait for a connection counts in a request's latency), each request a valid registration with its own address, against the built `attend serve` with %s and DB_MAX_OPEN_CONNS=%d; REGISTER_BATCH_SIZE and REGISTER_BATCHES at their defaults (%d and %d).", maxConnections, fmtEnv(serveEnv), e.DBMaxOpenConns, store.DefaultRegisterBatchSize, store.RegisterBatchesFor(e.DBMaxOpenConns))
	r.note("Search: from half the pgbench rate, ×1.5 per step until a rate fails (any non-202, or p99 > %s, in two %s probes in a row: one probe can catch another process's burst on a shared machine), then bisection to within 8%%, %d rates tried in all; the found rate must then pass a %s run (else 10%% lower, up to 6 tries). Before the baseline and before every step, `VACUUM events, seat_parts` clears the dead versions of the seat parts (every registration updates one), so each step starts from the same state. The event with a capacity (%d seats, so seats are left throughout) starts at the sustained rate and steps 10%% lower until a rate holds as in the search (too much only when two %s probes in a row fail; up to 8 steps), then must pass a %s run there, else 10%% lower, up to 4 tries.", ms(o.P99Limit), o.Probe, steps, o.Confirm, capacitySeats, o.Probe, o.Confirm)
	r.note("Baseline: `%s` (bench/pgbench/minimal.sql: the least a registration must write, inheriting nothing of attend's design: one statement that inserts the registration through the unique index on (event, lower(email)) and its outbox row, committed on its own; no seat or event lock, no link token, no NOTIFY); average latency %.1f ms; %d failed transactions. It runs before the search and again after the last attend run, and the higher tps is the one compared.", pg.Command, pg.LatencyMS, pg.Failed)
	r.note("CPU per operation: the machine's busy time (/proc/stat: user, nice, system, irq, softirq on all cores) over the closed-loop run and over the chosen pgbench run, divided by the registrations answered 202 and the transactions pgbench processed; attend is the `attend serve` process, PostgreSQL every postgres process (with the backends already gone, from the postmaster's reaped-children times), the load generator this process and pgbench its own client. The ratio column is pgbench's machine CPU per transaction over attend's per registration: the throughput ratio the CPU allows once both cores are busy.")
	r.note("HTTP floor: the same load generator, request bodies and clients against a net/http server in this process that decodes the JSON body and answers 202 over loopback TCP with keep-alive, doing nothing else; its CPU per request (this process's: server and load generator; the machine's in brackets, which at a low rate is mostly everything else running) is what any HTTP front end and this load generator cost here at the least, run as fast as it goes and at attend's closed-loop rate (a request costs more at a lower rate, where each one wakes sleeping threads). The CPU bound row adds the second to PostgreSQL's CPU per pgbench transaction: the throughput ratio that an attend costing no more than that floor, with a statement costing PostgreSQL no more than the baseline's, could reach once both cores are busy; against it, the CPU row above shows what attend's own HTTP path (attend and load generator) and its statement (PostgreSQL) cost on top.")
	r.note("The sustained rate is bound by latency (p99 ≤ %s) while pgbench's tps is a closed-loop maximum with no latency bound; the closed-loop rows run attend the way pgbench runs (%d clients, each sending its next request when answered) for a like-for-like throughput ratio.", ms(o.P99Limit), e.DBMaxOpenConns)
	r.note("Checked afterwards in SQL: %d registrations and %d outbox rows for the event without capacity (one email per registration), written by %d transactions over every run of the part (%.1f a commit on average, from the registrations' xmin); %d registrations and %d seats held (the seat parts' sum) for the event with a capacity.", regs, emails, commits, float64(regs)/math.Max(1, float64(commits)), capRegs, capHeld)
	r.note("Reference row: `%s` (bench/pgbench/minimal-8.sql), the baseline's statement inserting eight registrations and their outbox rows at once, as attend's batches do when registrations arrive faster than one commit each; %d failed transactions. It shows what batching is worth to PostgreSQL here; the targets stay set against the one-registration transaction.", pg8.Command, pg8.Failed)
	r.note("Bounded by: the machine's two cores, which the load generator, attend (HTTP, JSON, validation, sealing the link token) and PostgreSQL share (the CPU row: with both cores busy, the throughput ratio cannot exceed pgbench's CPU per transaction over attend's per registration; attend's statement also writes a seat part and a link token, which the baseline does not), and the WAL flush of each commit (synchronous_commit on). A new address is one prepared statement committed on its own, like the baseline's, when one of attend's REGISTER_BATCHES is free; under load, those that arrive while every batch is being written go together in the next, one statement and one commit for up to REGISTER_BATCH_SIZE of them (store/batch.go), so PostgreSQL's cost per statement and per commit is shared. No lock is common to all registrations: an event without capacity takes none beyond its rows; one with a capacity locks one of its 16 seat parts (docs/PERFORMANCE.md, \"Seats in parts\").")
	return r
}

func fmtEnv(m map[string]string) string {
	s := ""
	for _, k := range []string{"WORKER", "REGISTER_RATE_LIMIT", "REGISTER_RATE_WINDOW"} {
		if v, ok := m[k]; ok {
			if s != "" {
				s += ", "
			}
			s += k + "=" + v
		}
	}
	return s
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
