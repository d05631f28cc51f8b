package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// responseLimit is how much of an endpoint's answer is kept, for the
// organizer's list of deliveries.
const responseLimit = 1024

// Sender drains the webhook outbox. Several senders (in several processes)
// may run against one database: claims with SKIP LOCKED and a lease keep
// them from posting the same delivery twice.
type Sender struct {
	Store  *store.Store
	Client *http.Client
	Sealer store.Sealer
	Log    *slog.Logger
	// Poll is how often the sender looks for due deliveries
	// (WEBHOOK_POLL_INTERVAL); the triggers that write them notify nobody,
	// since a notification would serialize the commits of registrations.
	Poll time.Duration
	// Lease is how long a claimed delivery stays reserved; it must outlast
	// the client's timeout.
	Lease time.Duration
	// Concurrency is how many deliveries are posted at once.
	Concurrency int
	// Backoff is the email outbox's retry schedule, reused.
	Backoff domain.Backoff
	// DisableAfter failed attempts in a row disable an endpoint.
	DisableAfter int
	// Now is the clock of the signature's timestamp; nil means time.Now.
	Now func() time.Time
}

// Run sends until ctx is cancelled. Deliveries being posted then are
// finished (each is bounded by the client's timeout) and recorded.
func (s *Sender) Run(ctx context.Context) error {
	tick := time.NewTicker(s.Poll)
	defer tick.Stop()
	for {
		for ctx.Err() == nil {
			n, err := s.Drain(ctx)
			if err != nil {
				s.Log.Warn("webhook sender: drain", slog.Any("error", err))
				break
			}
			if n < max(s.Concurrency, 1) {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Drain claims one batch of due deliveries, posts them at once and records
// each outcome. It returns how many it claimed.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	rows, err := s.Store.ClaimWebhooks(ctx, max(s.Concurrency, 1), s.Lease)
	if err != nil {
		return 0, err
	}
	// Once claimed, a delivery is posted and recorded even if shutdown
	// begins meanwhile: the client's timeout bounds it.
	work := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for _, d := range rows {
		wg.Go(func() {
			outcome := s.post(work, d)
			disabled, err := s.Store.RecordWebhook(work, d, outcome, s.DisableAfter)
			if err != nil {
				s.Log.Warn("webhook sender: record", slog.String("delivery", d.ID), slog.Any("error", err))
			}
			if disabled {
				s.Log.Info("webhook sender: endpoint disabled after repeated failures",
					slog.Int64("endpoint", d.EndpointID), slog.Int("failures", s.DisableAfter))
			}
		})
	}
	wg.Wait()
	return len(rows), nil
}

// post sends one delivery and says how it went, and when to try again.
func (s *Sender) post(ctx context.Context, d *store.OutgoingWebhook) store.WebhookOutcome {
	out := s.attempt(ctx, d)
	if !out.Delivered && d.Attempts < s.Backoff.MaxAttempts {
		out.Next = s.now().Add(s.Backoff.Delay(d.Attempts, rand.Float64()))
	}
	return out
}

func (s *Sender) attempt(ctx context.Context, d *store.OutgoingWebhook) store.WebhookOutcome {
	secret, err := s.Sealer.Open(d.SealedSecret)
	if err != nil {
		return store.WebhookOutcome{Error: "the endpoint's secret cannot be read: " + err.Error()}
	}
	body := []byte(d.Body)
	ts := s.now()
	sig, err := Sign(secret, d.ID, ts, body)
	if err != nil {
		return store.WebhookOutcome{Error: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(body))
	if err != nil {
		return store.WebhookOutcome{Error: "malformed url: " + err.Error()}
	}
	// The header names exactly as Standard Webhooks writes them.
	req.Header["webhook-id"] = []string{d.ID}
	req.Header["webhook-timestamp"] = []string{fmt.Sprint(ts.Unix())}
	req.Header["webhook-signature"] = []string{sig}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "attend-webhooks/1")
	resp, err := s.Client.Do(req)
	if err != nil {
		return store.WebhookOutcome{Error: err.Error()}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, responseLimit)) // a cut-short answer still tells its status
	out := store.WebhookOutcome{StatusCode: resp.StatusCode, Response: string(head)}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		out.Delivered = true
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		out.Error = "redirects are not followed (Location: " + resp.Header.Get("Location") + ")"
	default:
		out.Error = "the endpoint answered " + resp.Status
	}
	return out
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
