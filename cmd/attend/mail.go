package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/store"
	"github.com/attend/attend/templates"
)

// mailingStore does the start-up shared by serve and worker: configuration
// (SECRET_KEY required, and SMTP_URL as need says), the JSON logger, the
// database with a current schema (applying migrations when apply is set),
// and a store that can queue emails. closeDB closes the database.
func (a *app) mailingStore(ctx context.Context, apply bool, need config.Need) (config.Config, *slog.Logger, *store.Store, func(), error) {
	need.SecretKey = true
	cfg, err := a.config(need)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	log := a.logger(cfg)
	db, err := a.ready(ctx, cfg, apply, true)
	if err != nil {
		return cfg, nil, nil, nil, err
	}
	st, err := newStore(cfg, store.New(db))
	if err != nil {
		db.Close()
		return cfg, nil, nil, nil, err
	}
	return cfg, log, st, func() { db.Close() }, nil
}

// newStore configures the store for queueing emails: the sealer for link
// tokens, the Message-ID host and the link grace period.
func newStore(cfg config.Config, st *store.Store) (*store.Store, error) {
	sealer, err := seal.New(cfg.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("SECRET_KEY: %w", err)
	}
	st.Sealer = sealer
	st.MailHost = mailHost(cfg)
	st.LinkGrace = cfg.LinkGrace
	st.EventCacheTTL = cfg.EventCacheTTL
	st.RegisterBatchSize, st.RegisterBatches = cfg.RegisterBatchSize, cfg.RegisterBatches
	st.WakeGap = cfg.MailWakeGap
	st.InvitationTTL = cfg.InvitationTTL
	st.MessagesPerAddressHour = cfg.MessagesPerAddressHour
	st.Delegations = cfg.Delegations
	return st, nil
}

// mailHost is the domain of MAIL_FROM, else of BASE_URL.
func mailHost(cfg config.Config) string {
	if a, err := mail.ParseAddress(cfg.MailFrom); err == nil {
		if _, host, ok := strings.Cut(a.Address, "@"); ok && host != "" {
			return host
		}
	}
	return cfg.BaseURL.Hostname()
}

// newWorker builds the mail worker from the configuration; templates are
// parsed here, once, and a missing one stops start-up.
// m, when not nil, counts the emails and periodic jobs and watches the
// outbox.
func newWorker(cfg config.Config, st *store.Store, log *slog.Logger, m *metrics.Metrics) (*notify.Worker, error) {
	if cfg.SMTPURL == "" {
		return nil, fmt.Errorf("configuration: SMTP_URL is required to send email (e.g. smtp://127.0.0.1:1025?starttls=off for a local Mailpit)")
	}
	smtpCfg, err := notify.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	sender, err := notify.NewSender(smtpCfg, notify.SenderOptions{
		From: cfg.MailFrom, ReplyTo: cfg.MailReplyTo,
		DialTimeout: cfg.SMTPTimeout, CommandTimeout: cfg.SMTPTimeout,
		Metrics: m,
	})
	if err != nil {
		return nil, fmt.Errorf("configuration: MAIL_FROM/MAIL_REPLY_TO: %w", err)
	}
	messages, err := i18n.New(i18n.WithDelegations(cfg.Delegations))
	if err != nil {
		return nil, err
	}
	renderer, err := notify.NewRendererWith(templates.FS, messages)
	if err != nil {
		return nil, err
	}
	m.WatchOutbox(st, cfg.DBStatementTimeout)
	return &notify.Worker{
		Store: st, Renderer: renderer, Sender: sender, Sealer: st.Sealer, Log: log, Metrics: m,
		BaseURL:     cfg.BaseURL.String(),
		ListenDSN:   cfg.DatabaseURL,
		BatchSize:   cfg.MailBatchSize,
		Connections: cfg.MailConnections,
		Poll:        cfg.MailPoll,
		Lease:       cfg.MailLease,
		Backoff: domain.Backoff{Base: cfg.MailRetryBase, Max: cfg.MailRetryMax,
			MaxAttempts: cfg.MailMaxAttempts},
		ShutdownTimeout: cfg.ShutdownTimeout,
		Periodic:        append(periodicJobs(st, log, m), m.Job("delete_old_webhook_deliveries", deleteOldWebhookDeliveries(st, cfg.WebhookRetention))),
		PeriodicEvery:   cfg.PeriodicEvery,
	}, nil
}

// periodicJobs are the time-driven rules the worker applies, each named
// for its runs and durations in the metrics.
func periodicJobs(st *store.Store, log *slog.Logger, m *metrics.Metrics) []func(context.Context) error {
	count := func(f func(context.Context) (int, error)) func(context.Context) error {
		return func(ctx context.Context) error { _, err := f(ctx); return err }
	}
	return []func(context.Context) error{
		m.Job("expire_unconfirmed", count(st.ExpireUnconfirmed)),
		m.Job("confirm_reminders", count(st.QueueConfirmReminders)),
		m.Job("event_reminders", count(st.QueueEventReminders)),
		m.Job("certificate_emails", count(st.QueueCertificateEmails)),
		m.Job("send_due_messages", count(st.SendDueMessages)),
		m.Job("erase_expired", eraseExpired(st, log)),
		m.Job("delete_expired_sessions", count(st.DeleteExpiredSessions)),
	}
}

// worker runs only the mail worker, the webhook sender and periodic jobs,
// for deployments that separate them from the web processes. Both stop
// together, each finishing what it has in flight.
func (a *app) worker(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("worker takes no arguments")
	}
	cfg, log, st, closeDB, err := a.mailingStore(ctx, false, config.Need{SMTP: true})
	if err != nil {
		return err
	}
	defer closeDB()
	m := newMetrics(cfg, log, st)
	w, err := newWorker(cfg, st, log, m)
	if err != nil {
		return err
	}
	hooks := newWebhookSender(cfg, st, log)
	g, gctx := errgroup.WithContext(ctx)
	if err := serveMetrics(gctx, g, cfg, log, m); err != nil {
		return err
	}
	log.Info("mail worker started")
	g.Go(func() error { return w.Run(gctx) })
	g.Go(func() error { return hooks.Run(gctx) })
	err = g.Wait()
	log.Info("mail worker stopped")
	return err
}
