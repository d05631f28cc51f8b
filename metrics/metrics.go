// Package metrics counts what an operator watches attend by: HTTP requests
// by route and status, registrations by outcome, the outbox, emails and
// SMTP latency, the database pool and the periodic jobs. It serves them in
// the Prometheus text format on a listener of their own (METRICS_ADDR).
//
// Every series is labelled with fixed words or route templates
// (/events/:slug), never with a path, an address, a slug or a token, so a
// scrape holds no personal data and its number of series stays bounded.
//
// A nil *Metrics is valid and counts nothing: with METRICS_ADDR unset the
// code paths that report to it cost one nil check.
package metrics

import (
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one process's registry and the families attend reports to.
// It has no global state: each process (and each test) builds its own.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests  *prometheus.CounterVec
	durations *prometheus.HistogramVec
	seriesMu  sync.RWMutex
	series    map[requestKey]requestSeries

	registrations *prometheus.CounterVec
	emails        *prometheus.CounterVec
	smtp          *prometheus.HistogramVec
	jobRuns       *prometheus.CounterVec
	jobDurations  *prometheus.HistogramVec
	// The batches' families have no labels but are vectors, so that only
	// a process that writes registrations (serve, not the worker) has them.
	batchSize *prometheus.HistogramVec
	batchWait *prometheus.HistogramVec
}

// New builds a registry with attend's families and the Go runtime and
// process collectors. log receives the errors of a scrape.
func New(log *slog.Logger) *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		log:    log,
		series: map[requestKey]requestSeries{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "attend_http_requests_total",
			Help: "HTTP requests answered, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		durations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "attend_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route template and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
		registrations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "attend_registrations_total",
			Help: "Participants' registration requests (web form and API), by outcome.",
		}, []string{"outcome"}),
		emails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "attend_emails_total",
			Help: "Emails the worker finished an attempt on: sent, retried (a temporary failure, sent again later) or failed (given up).",
		}, []string{"outcome"}),
		smtp: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "attend_smtp_send_duration_seconds",
			Help:    "Time the SMTP server took over one message (MAIL FROM to the reply to DATA), by result.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"result"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "attend_periodic_job_runs_total",
			Help: "Runs of the worker's periodic jobs, by job and result.",
		}, []string{"job", "result"}),
		jobDurations: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "attend_periodic_job_duration_seconds",
			Help:    "Time one run of a periodic job took, by job.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"job"}),
		batchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "attend_registration_batch_size",
			Help:    "Participants' registrations written by one statement (1: alone; more: arrived while every batch was being written, REGISTER_BATCHES).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128},
		}, nil),
		batchWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "attend_registration_batch_wait_seconds",
			Help:    "The longest a registration of one statement waited for a batch to be free (0: none waited).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, nil),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.durations, m.registrations, m.emails, m.smtp, m.jobRuns, m.jobDurations,
		m.batchSize, m.batchWait,
	)
	return m
}

// WatchDB reports the database pool's use (open, in use and idle
// connections, waits for one) as go_sql_* with db_name="attend".
func (m *Metrics) WatchDB(db *sql.DB) {
	if m == nil {
		return
	}
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, "attend"))
}

// Handler serves the registry in the Prometheus text format. A collector
// that fails (the outbox query, when the database is away) leaves its
// families out and is logged; the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{m.log},
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// slogPrinter is promhttp's error log on the process's logger.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Println(v ...any) {
	if p.log != nil {
		p.log.Warn("metrics: scrape", slog.String("error", fmt.Sprint(v...)))
	}
}
