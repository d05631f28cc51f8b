package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

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
	var worker *notify.Worker
	var hooks *webhook.Sender
	if cfg.WorkerEnabled {
		if worker, err = newWorker(cfg, st, log); err != nil {
			return err
		}
		hooks = newWebhookSender(cfg, st, log)
	}
	srv, err := server.New(server.Deps{Config: cfg, Store: st, Rules: domain.NewRulesWith(cfg.Delegations), Logger: log})
	if err != nil {
		return fmt.Errorf("http server: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	httpSrv := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: cfg.ReadHeaderTimeout,
		ReadTimeout:       cfg.ReadTimeout,
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("base_url", cfg.BaseURL.String()))
	if a.listening != nil {
		a.listening(ln.Addr().String())
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := httpSrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http: %w", err)
		}
		return nil
	})
	if worker != nil {
		g.Go(func() error { return worker.Run(gctx) })
		g.Go(func() error { return hooks.Run(gctx) })
	}
	g.Go(func() error {
		<-gctx.Done()
		log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
		sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		if err := httpSrv.Shutdown(sctx); err != nil {
			return fmt.Errorf("http shutdown: %w", err)
		}
		return nil
	})
	err = g.Wait()
	log.Info("stopped")
	return err
}
