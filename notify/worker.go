package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/mail"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// BatchSender sends a batch over one connection, reporting each accepted
// message as it goes; *Sender is the real one.
type BatchSender interface {
	SendBatchFunc(ctx context.Context, emails []Email, accepted func(i int)) []error
}

// Worker drains the outbox: it claims due emails, renders and sends them
// over one SMTP connection per batch, and records the outcome. Several
// workers (in several processes) may run against one database; SKIP LOCKED
// claims and leases keep them from sending the same email twice.
type Worker struct {
	Store    *store.Store
	Renderer *Renderer
	Sender   BatchSender
	Sealer   store.Sealer
	Log      *slog.Logger
	// BaseURL is the public site root for links, without trailing slash.
	BaseURL string
	// ListenDSN is the database URL for LISTEN/NOTIFY wake-ups; empty
	// means poll only.
	ListenDSN string

	BatchSize int
	// Connections is how many batches are in flight at once, each over its
	// own SMTP connection: while one batch waits for the server's replies,
	// another renders, so a worker uses more than one core and overlaps the
	// round trips (docs/PERFORMANCE.md). Zero means one.
	Connections int
	Poll        time.Duration
	Lease       time.Duration
	Backoff     domain.Backoff

	// Periodic jobs (expiry, reminders) run every PeriodicEvery.
	Periodic      []func(context.Context) error
	PeriodicEvery time.Duration
}

// Run works until ctx is cancelled. A batch in flight when ctx is cancelled
// is finished (bounded by the SMTP timeouts), so no claimed email is left
// half-done by a graceful shutdown.
func (w *Worker) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	if w.ListenDSN != "" {
		l := pq.NewListener(w.ListenDSN, time.Second, 30*time.Second, func(ev pq.ListenerEventType, err error) {
			if err != nil {
				w.Log.Warn("mail worker: listen connection", slog.Any("error", err))
			}
		})
		defer l.Close()
		if err := l.Listen(store.NotifyChannel); err != nil {
			w.Log.Warn("mail worker: LISTEN failed; polling only", slog.Any("error", err))
		}
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case _, ok := <-l.Notify:
					if !ok {
						return
					}
					// A nil notification means the connection was re-established:
					// wake up too, since notifications may have been missed.
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	poll := time.NewTicker(w.Poll)
	defer poll.Stop()
	periodicEvery := w.PeriodicEvery
	if periodicEvery <= 0 {
		periodicEvery = time.Minute
	}
	periodic := time.NewTicker(periodicEvery)
	defer periodic.Stop()
	w.runPeriodic(ctx)
	for {
		if _, err := w.Drain(context.WithoutCancel(ctx), ctx); err != nil {
			w.Log.Warn("mail worker: drain", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-poll.C:
		case <-periodic.C:
			w.runPeriodic(ctx)
		}
	}
}

func (w *Worker) runPeriodic(ctx context.Context) {
	for _, job := range w.Periodic {
		if ctx.Err() != nil {
			return
		}
		if err := job(ctx); err != nil {
			w.Log.Warn("periodic job failed", slog.Any("error", err))
		}
	}
}

// Drain sends batches until no email is due or stop is cancelled between
// batches, with up to Connections batches in flight. It returns how many
// emails were accepted by the SMTP server.
func (w *Worker) Drain(ctx, stop context.Context) (int, error) {
	n := max(w.Connections, 1)
	var (
		total atomic.Int64
		wg    sync.WaitGroup
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Go(func() {
			for stop.Err() == nil {
				sent, claimed, err := w.RunBatch(ctx)
				total.Add(int64(sent))
				if err != nil {
					errs[i] = err
					return
				}
				if claimed < w.BatchSize {
					return
				}
			}
		})
	}
	wg.Wait()
	return int(total.Load()), errors.Join(errs...)
}

// RunBatch claims, sends and records one batch. It returns how many were
// sent and how many were claimed.
func (w *Worker) RunBatch(ctx context.Context) (sent, claimed int, err error) {
	rows, err := w.Store.ClaimDue(ctx, w.BatchSize, w.Lease)
	if err != nil || len(rows) == 0 {
		return 0, 0, err
	}
	defer w.holdLease(ctx, rows)()
	// The batch's registrations and events in two queries. If the database
	// fails here the rows stay claimed and are retried when the lease ends.
	regs, events, err := w.Store.EmailContexts(ctx, rows)
	if err != nil {
		return 0, len(rows), err
	}
	var (
		emails []Email
		owners []*store.Email
	)
	for _, row := range rows {
		e, err := w.build(row, regs, events)
		if err != nil {
			// Nothing about this row will change by retrying: record why.
			w.Log.Error("mail worker: cannot build email", slog.Int64("email_id", row.ID),
				slog.String("kind", string(row.Kind)), slog.Any("error", err))
			if merr := w.Store.MarkFailed(ctx, row.ID, "build: "+err.Error()); merr != nil {
				return 0, len(rows), merr
			}
			continue
		}
		emails = append(emails, e)
		owners = append(owners, row)
	}
	// Each accepted email is recorded at once, before the next is sent, so
	// a crash mid-batch resends at most the one message in flight. If
	// recording fails (the database is away), the batch's end tries again.
	//
	// The marker's connection goes back to the pool as soon as the batch
	// is sent, before the recording below takes one: with Connections
	// batches in flight, holding it longer could leave every connection of
	// a small pool with a batch waiting for a second one.
	marked := make([]bool, len(emails))
	marker, merr := w.Store.NewSentMarker(ctx)
	errs := w.Sender.SendBatchFunc(ctx, emails, func(i int) {
		if merr == nil && marker.Mark(ctx, owners[i].ID) == nil {
			marked[i] = true
		}
	})
	if merr == nil {
		marker.Close()
	}
	var sentIDs, unmarked []int64
	for i, serr := range errs {
		row := owners[i]
		switch {
		case serr == nil:
			sentIDs = append(sentIDs, row.ID)
			if !marked[i] {
				unmarked = append(unmarked, row.ID)
			}
		case IsPermanent(serr) || errors.Is(serr, ErrInvalidEmail):
			w.Log.Warn("mail worker: permanent failure", slog.Int64("email_id", row.ID), slog.Any("error", serr))
			if err := w.Store.MarkFailed(ctx, row.ID, serr.Error()); err != nil {
				return len(sentIDs), len(rows), err
			}
		case row.Attempts >= w.Backoff.MaxAttempts:
			w.Log.Warn("mail worker: giving up after last attempt", slog.Int64("email_id", row.ID),
				slog.Int("attempts", row.Attempts), slog.Any("error", serr))
			if err := w.Store.MarkFailed(ctx, row.ID, fmt.Sprintf("after %d attempts: %v", row.Attempts, serr)); err != nil {
				return len(sentIDs), len(rows), err
			}
		default:
			next := time.Now().Add(w.Backoff.Delay(row.Attempts, rand.Float64()))
			w.Log.Info("mail worker: temporary failure, will retry", slog.Int64("email_id", row.ID),
				slog.Int("attempts", row.Attempts), slog.Time("next_attempt_at", next), slog.Any("error", serr))
			if err := w.Store.MarkRetry(ctx, row.ID, serr.Error(), next); err != nil {
				return len(sentIDs), len(rows), err
			}
		}
	}
	if err := w.Store.MarkSent(ctx, unmarked); err != nil {
		return len(sentIDs), len(rows), err
	}
	return len(sentIDs), len(rows), nil
}

// holdLease renews the lease on the claimed rows every third of MAIL_LEASE
// until the returned function is called, when the batch is recorded. A
// batch may take longer than one lease against a slow SMTP server; without
// renewal another worker would claim the rest of it and send it again.
func (w *Worker) holdLease(ctx context.Context, rows []*store.Email) (release func()) {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(max(w.Lease/3, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			if err := w.Store.ExtendLease(ctx, ids, w.Lease); err != nil {
				w.Log.Warn("mail worker: extend lease", slog.Int("emails", len(ids)), slog.Any("error", err))
			}
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// build renders one outbox row into an Email, from the batch's
// registrations and events.
func (w *Worker) build(row *store.Email, regs map[string]*domain.Registration, events map[int64]*domain.Event) (Email, error) {
	kind, err := ParseKind(string(row.Kind))
	if err != nil {
		return Email{}, err
	}
	ev, ok := events[row.EventID]
	if !ok {
		return Email{}, fmt.Errorf("event %d no longer exists", row.EventID)
	}
	var reg *domain.Registration
	if row.RegistrationID != nil {
		if reg, ok = regs[*row.RegistrationID]; !ok {
			return Email{}, fmt.Errorf("registration %s no longer exists", *row.RegistrationID)
		}
	}
	d := Data{
		Event: Event{
			Title: ev.Title, Venue: ev.Venue, City: ev.City,
			CountryCode: ev.Country, CountryName: domain.CountryName(ev.Country),
			StartsOn: ev.StartsOn.Time(), EndsOn: ev.EndsOn.Time(),
			DayStartsAt: ev.DayStartsAt, DayEndsAt: ev.DayEndsAt,
			Timezone: ev.Timezone, Languages: ev.Languages,
		},
		OrganizerMessage: row.Payload.Message,
		BaseURL:          w.BaseURL,
		CreatedAt:        row.CreatedAt,
	}
	if row.Payload.Deadline != nil {
		d.Deadline = *row.Payload.Deadline
	}
	if reg != nil {
		d.RegistrationID = reg.ID
		d.Participant = Participant{FirstName: reg.FirstName, LastName: reg.LastName}
		d.CheckinCode = reg.CheckinCode
		for _, day := range reg.Days {
			d.Days = append(d.Days, day.Time())
		}
	}
	if row.Payload.SealedToken != "" {
		token, err := w.Sealer.Open(row.Payload.SealedToken)
		if err != nil {
			return Email{}, err
		}
		d.ManageURL = w.BaseURL + "/r/" + token
		d.ConfirmURL = d.ManageURL + "?action=confirm"
		d.CancelURL = d.ManageURL + "?action=cancel"
	}
	return w.Renderer.Build(kind, row.Language, d, "<"+row.MessageID+">",
		mail.Address{Name: row.RecipientName, Address: row.Recipient})
}
