package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
	"github.com/attend/attend/webhook"
)

// deleteOldWebhookDeliveries is the periodic job that keeps the webhook
// outbox from growing without end.
func deleteOldWebhookDeliveries(st *store.Store, keep time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := st.DeleteOldWebhookDeliveries(ctx, keep)
		return err
	}
}

// newWebhookSender builds the webhook sender, which runs wherever the mail
// worker runs and retries on the mail outbox's schedule.
func newWebhookSender(cfg config.Config, st *store.Store, log *slog.Logger) *webhook.Sender {
	return &webhook.Sender{
		Store:        st,
		Client:       webhook.NewClient(cfg.WebhookTimeout, cfg.WebhookAllowPrivate),
		Sealer:       st.Sealer,
		Log:          log,
		Poll:         cfg.WebhookPoll,
		Lease:        cfg.WebhookLease(),
		Concurrency:  cfg.WebhookConcurrency,
		DisableAfter: cfg.WebhookDisableAfter,
		Backoff: domain.Backoff{Base: cfg.MailRetryBase, Max: cfg.MailRetryMax,
			MaxAttempts: cfg.MailMaxAttempts},
	}
}
