package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"golang.org/x/sync/errgroup"

	"github.com/attend/attend/config"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/store"
)

// newMetrics is the process's registry when METRICS_ADDR is set, watching
// the database pool; nil, which counts nothing, when it is not.
func newMetrics(cfg config.Config, log *slog.Logger, st *store.Store) *metrics.Metrics {
	if cfg.MetricsAddr == "" {
		return nil
	}
	m := metrics.New(log)
	m.WatchDB(st.DB().DB)
	st.RegisterBatchObserver = m.RegisterBatch
	return m
}

// serveMetrics listens on METRICS_ADDR and serves /metrics there, and
// nothing else, in g until ctx ends, then shuts that listener down like
// the site's. With m nil (metrics off) it does nothing; a listen error
// stops start-up.
func serveMetrics(ctx context.Context, g *errgroup.Group, cfg config.Config, log *slog.Logger, m *metrics.Metrics) error {
	if m == nil {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	log.Info("metrics listening", slog.String("addr", ln.Addr().String()))
	serveHTTP(ctx, g, cfg, log, "metrics", ln, mux)
	return nil
}
