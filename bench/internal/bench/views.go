package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"time"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

// view is one organizer page measured by part 5.
type view struct {
	name, path string
	// indexOnly names a table that must not be read by a sequential scan.
	indexOnly string
	// p99 is the view's latency target, if any.
	p99 time.Duration
}

// Views is part 5: the organizer's statistics and the first page of the
// registration list at a large event, request by request, with the plans
// of the queries behind them.
func Views(ctx context.Context, e *Env, o DataOptions) *Result {
	r := &Result{Part: "5 views", Title: "organizer views at a large event"}
	const slug = "bench-views"
	a, srv, err := e.serveEvents(ctx, "views", EventSpec{Slug: slug, Days: 2})
	if err != nil {
		r.Err = err
		return r
	}
	defer srv.Stop(10 * time.Second)
	views := []view{
		{name: "stats by country", path: "/api/v1/events/" + slug + "/stats", p99: o.StatsP99},
		{name: "registration list, first page of 50", path: "/api/v1/events/" + slug + "/registrations?limit=50", indexOnly: "registrations"},
	}
	for _, v := range views {
		if _, err := srv.Do(ctx, http.MethodGet, v.path, nil, nil); err != nil {
			r.Err = fmt.Errorf("%w: %v", errNotAvailable, err)
			return r
		}
	}
	_, summary, err := seedLargeEvent(ctx, e, a.DSN, "views", slug, o.Registrations)
	if err != nil {
		r.Err = err
		return r
	}
	db, err := sql.Open("postgres", a.DSN) // for the plans of the views' queries
	if err != nil {
		r.Err = err
		return r
	}
	defer db.Close()

	client := &http.Client{Timeout: 30 * time.Second}
	var detail strings.Builder
	for _, v := range views {
		for i := 0; i < 5; i++ { // warm-up; failures are counted below
			_, _ = timedGet(ctx, client, srv, v.path)
		}
		// Every request counts in the latencies, answered or not; failures
		// (a 503 when the statement or request timeout runs out) are counted.
		lat := make([]time.Duration, 0, o.Requests)
		failures := map[string]int{}
		deadline := time.Now().Add(o.Budget)
		for i := 0; i < o.Requests && time.Now().Before(deadline) && ctx.Err() == nil; i++ {
			d, err := timedGet(ctx, client, srv, v.path)
			if err != nil {
				failures[err.Error()]++
			}
			lat = append(lat, d)
		}
		if len(lat) == 0 {
			r.Err = ctx.Err()
			return r
		}
		slices.Sort(lat)
		e.Log.Printf("views: %s p50 %s p99 %s", v.name, ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)))

		nFailed := 0
		for msg, n := range failures {
			nFailed += n
			r.note("%s: %d requests failed: %s", v.name, n, msg)
		}
		plans, err := planOf(ctx, a, db, srv.Token, v.path)
		if err != nil {
			r.note("%s: no plans: %v", v.name, err)
		}
		verdict, target := Info, ""
		if v.indexOnly != "" {
			target = "no Seq Scan on " + v.indexOnly
			verdict = Pass
			for _, p := range plans {
				if slices.Contains(p.SeqScan, v.indexOnly) {
					verdict = Miss
				}
			}
		}
		if err != nil && v.indexOnly != "" {
			verdict = Miss
		}
		if v.p99 > 0 {
			target = "p99 ≤ " + ms(v.p99)
			verdict = check(quantile(lat, 0.99) <= v.p99)
		}
		value := fmt.Sprintf("p50 %s, p99 %s, max %s", ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), ms(lat[len(lat)-1]))
		if nFailed > 0 {
			value += fmt.Sprintf(", %d failed", nFailed)
			verdict = Miss
		}
		r.add(fmt.Sprintf("%s, %d sequential requests", v.name, len(lat)), value, "", "", target, verdict)
		fmt.Fprintf(&detail, "#### GET %s — the queries behind it\n\n", v.path)
		for _, p := range plans {
			fmt.Fprintf(&detail, "```sql\n%s\n```\n\n```\n%s\n```\n\n", strings.TrimSpace(p.Query), p.Plan)
		}
	}
	r.Detail = detail.String()
	r.note("Data: %s, then ANALYZE.", summary)
	r.note("Requests: one client, one request at a time, keep-alive, against `attend serve`; 5 unmeasured requests first; %d requests per view unless they take longer than %s in all (then as many as fit). Each request also authenticates the token and loads the event.", o.Requests, o.Budget)
	r.note("Plans: the handler runs once more in-process (server.New over the same database, through a lib/pq wrapper that records every statement with its arguments); each recorded statement is then run under EXPLAIN (ANALYZE, BUFFERS) in a transaction that is rolled back.")
	r.note("Bounded by: the statistics are read from the event's tallies (registration_tallies, about one folded row per group of country, role, delegation, status and day), which triggers keep as registrations and check-ins change, whatever the event's size; each request first folds the rows appended since the last one (the first request after the bulk load folds them all). The list page reads %d rows by the (event_id, created_at, id) index whatever the size.", 51)
	return r
}

func timedGet(ctx context.Context, client *http.Client, srv *Server, path string) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return d, err
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	return d, nil
}

// planOf serves path once with the API in this process over a recording
// connection, and explains every statement it ran.
func planOf(ctx context.Context, a *Attend, db *sql.DB, token, path string) ([]explained, error) {
	env := map[string]string{"DATABASE_URL": a.DSN, "SECRET_KEY": secretKey}
	cfg, err := config.Load(func(k string) string { return env[k] }, config.Need{SecretKey: true})
	if err != nil {
		return nil, err
	}
	xdb, err := openRecording(a.DSN)
	if err != nil {
		return nil, err
	}
	defer xdb.Close()
	st := store.New(xdb)
	h, err := server.New(server.Deps{Config: cfg, Store: st, Rules: domain.NewRules(), Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		return nil, err
	}
	// A fresh connection first, so that connection set-up is not recorded.
	if err := xdb.PingContext(ctx); err != nil {
		return nil, err
	}
	recorder.take()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	calls := recorder.take()
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("bench: in-process GET %s: %d: %s", path, rec.Code, truncate(rec.Body.String(), 300))
	}
	return explain(ctx, db, calls)
}
