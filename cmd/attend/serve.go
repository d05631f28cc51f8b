package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"golang.org/x/sync/errgroup"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/server"
	"github.com/attend/attend/webhook"
)

// serve applies pending migrations, then serves HTTP until ctx is cancelled
// (SIGINT/SIGTERM), and drains in-flight requests before returning.
func (a *app) serve(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("serve takes no arguments")
	}
	cfg, log, st, closeDB, err := a.mailingStore(ctx, true, config.Need{SMTPIfWorker: true})
	if err != nil {
		return err
	}
	defer closeDB()
	m := newMetrics(cfg, log, st)
	var worker *notify.Worker
	var hooks *webhook.Sender
	if cfg.WorkerEnabled {
		if worker, err = newWorker(cfg, st, log, m); err != nil {
			return err
		}
		hooks = newWebhookSender(cfg, st, log)
	}
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Rules: domain.NewRulesWith(cfg.Delegations), Logger: log, Metrics: m})
	if err != nil {
		return fmt.Errorf("http server: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	g, gctx := errgroup.WithContext(ctx)
	if err := serveMetrics(gctx, g, cfg, log, m); err != nil {
		ln.Close()
		return err
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", cfg.BaseURL.String()))
	if a.listening != nil {
		a.listening(ln.Addr().String())
	}

	serveHTTP(gctx, g, cfg, log, "http", ln, srv)
	if worker != nil {
		g.Go(func() error { return worker.Run(gctx) })
		g.Go(func() error { return hooks.Run(gctx) })
	}
	err = g.Wait()
	log.Info("stopped")
	return err
}
