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
	gomail "github.com/wneessen/go-mail"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/metrics"
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
	// ShutdownTimeout is how long batches in flight go on sending once Run's
	// context is cancelled (SHUTDOWN_TIMEOUT, as for HTTP requests). What
	// they have not sent by then is handed back at once, due for another
	// worker, instead of waiting out the lease.
	ShutdownTimeout time.Duration

	// Metrics counts the emails sent, retried and given up; nil counts
	// nothing.
	Metrics *metrics.Metrics

	// Periodic jobs (expiry, reminders) run every PeriodicEvery.
	Periodic      []func(context.Context) error
	PeriodicEvery time.Duration
}

// Run works until ctx is cancelled. Batches in flight when ctx is
// cancelled go on sending for up to ShutdownTimeout, and their unsent
// emails are then handed back, so a graceful shutdown ends in time for the
// service manager and leaves no claimed email waiting for its lease.
func (w *Worker) Run(ctx context.Context) error {
	wake := make(chan struct{}, 1)
	// Email queued through this process's Store wakes the worker directly;
	// LISTEN hears about email that other processes queue.
	local, unsubscribe := w.Store.SubscribeWake()
	defer unsubscribe()
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
		case <-local:
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

// Drain sends batches until no email is due or stop is cancelled, with up
// to Connections batches sending at once, and returns how many emails the
// SMTP server accepted. Twice as many batches are claimed and rendered, so
// that a connection that has sent its batch finds the next one ready
// instead of waiting for the database and the templates (loading and
// rendering a batch of 50 took about as long as sending it,
// docs/PERFORMANCE.md); a rendered batch waits for a free connection.
// No batch starts after stop; one in flight (claimed) goes on sending for
// up to ShutdownTimeout after it, then stops and hands its unsent emails
// back (Store.Release). ctx bounds the rest, the database
// work included: cancelling it is a crash, after which the leases run out.
func (w *Worker) Drain(ctx, stop context.Context) (int, error) {
	send, cancel := w.sendContext(ctx, stop)
	defer cancel()
	n := max(w.Connections, 1)
	connections := make(chan struct{}, n)
	var (
		total atomic.Int64
		wg    sync.WaitGroup
		errs  = make([]error, 2*n)
	)
	for i := range 2 * n {
		wg.Go(func() {
			for stop.Err() == nil {
				sent, claimed, err := w.runBatch(ctx, send, connections)
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

// errShutdownDeadline ends the sends of a shutdown that outlasts
// ShutdownTimeout.
var errShutdownDeadline = errors.New("notify: the shutdown deadline passed before the email was sent")

// sendContext is ctx, ended with errShutdownDeadline ShutdownTimeout after
// stop ends.
func (w *Worker) sendContext(ctx, stop context.Context) (context.Context, context.CancelFunc) {
	send, cancel := context.WithCancelCause(ctx)
	unhook := context.AfterFunc(stop, func() {
		deadline := time.NewTimer(w.ShutdownTimeout)
		defer deadline.Stop()
		select {
		case <-deadline.C:
			cancel(errShutdownDeadline)
		case <-send.Done():
		}
	})
	return send, func() {
		unhook()
		cancel(nil)
	}
}

// RunBatch claims, sends and records one batch. It returns how many were
// sent and how many were claimed.
func (w *Worker) RunBatch(ctx context.Context) (sent, claimed int, err error) {
	return w.runBatch(ctx, ctx, nil)
}

// runBatch is RunBatch sending under send, which may end before ctx: the
// emails that the end of send left unsent are handed back rather than
// retried later. With connections, the batch sends only while it holds one
// of its places.
func (w *Worker) runBatch(ctx, send context.Context, connections chan struct{}) (sent, claimed int, err error) {
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
	msgs, optedOut, err := w.Store.MessagesOf(ctx, rows)
	if err != nil {
		return 0, len(rows), err
	}
	var (
		emails []Email
		owners []*store.Email
	)
	for _, row := range rows {
		e, err := w.build(row, regs, events, msgs, optedOut)
		var skip errSkip
		if errors.As(err, &skip) {
			if err := w.Store.SkipEmail(ctx, row.ID, skip.reason); err != nil {
				return 0, len(rows), err
			}
			continue
		}
		if err != nil {
			// Nothing about this row will change by retrying: record why.
			w.Log.Error("mail worker: cannot build email", slog.Int64("email_id", row.ID),
				slog.String("kind", string(row.Kind)), slog.Any("error", err))
			w.Metrics.Emails(metrics.EmailFailed, 1)
			if merr := w.Store.MarkFailed(ctx, row.ID, "build: "+err.Error()); merr != nil {
				return 0, len(rows), merr
			}
			continue
		}
		emails = append(emails, e)
		owners = append(owners, row)
	}
	if connections != nil {
		select {
		case connections <- struct{}{}:
		case <-ctx.Done(): // a crash: the lease runs out
			return 0, len(rows), ctx.Err()
		}
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
	errs := w.Sender.SendBatchFunc(send, emails, func(i int) {
		if merr == nil && marker.Mark(ctx, owners[i].ID) == nil {
			marked[i] = true
		}
	})
	if merr == nil {
		marker.Close()
	}
	if connections != nil {
		<-connections // the SMTP connection and the marker's are given back
	}
	var sentIDs, unmarked, unsent []int64
	for i, serr := range errs {
		row := owners[i]
		switch {
		case serr == nil:
			sentIDs = append(sentIDs, row.ID)
			w.Metrics.Emails(metrics.EmailSent, 1)
			if !marked[i] {
				unmarked = append(unmarked, row.ID)
			}
		case IsPermanent(serr) || errors.Is(serr, ErrInvalidEmail):
			w.Log.Warn("mail worker: permanent failure", slog.Int64("email_id", row.ID), slog.Any("error", serr))
			w.Metrics.Emails(metrics.EmailFailed, 1)
			if err := w.Store.MarkFailed(ctx, row.ID, serr.Error()); err != nil {
				return len(sentIDs), len(rows), err
			}
		case cutShort(send, serr):
			unsent = append(unsent, row.ID)
		case row.Attempts >= w.Backoff.MaxAttempts:
			w.Log.Warn("mail worker: giving up after last attempt", slog.Int64("email_id", row.ID),
				slog.Int("attempts", row.Attempts), slog.Any("error", serr))
			w.Metrics.Emails(metrics.EmailFailed, 1)
			if err := w.Store.MarkFailed(ctx, row.ID, fmt.Sprintf("after %d attempts: %v", row.Attempts, serr)); err != nil {
				return len(sentIDs), len(rows), err
			}
		default:
			next := w.Store.Now().Add(w.Backoff.Delay(row.Attempts, rand.Float64()))
			w.Log.Info("mail worker: temporary failure, will retry", slog.Int64("email_id", row.ID),
				slog.Int("attempts", row.Attempts), slog.Time("next_attempt_at", next), slog.Any("error", serr))
			w.Metrics.Emails(metrics.EmailRetried, 1)
			if err := w.Store.MarkRetry(ctx, row.ID, serr.Error(), next); err != nil {
				return len(sentIDs), len(rows), err
			}
		}
	}
	if err := w.Store.MarkSent(ctx, unmarked); err != nil {
		return len(sentIDs), len(rows), err
	}
	if len(unsent) > 0 {
		w.Log.Info("mail worker: shutdown deadline passed; emails handed back", slog.Int("emails", len(unsent)))
		if err := w.Store.Release(ctx, unsent); err != nil {
			return len(sentIDs), len(rows), err
		}
	}
	return len(sentIDs), len(rows), nil
}

// cutShort reports whether the shutdown deadline, not the server, is why an
// email was not sent: send ended with errShutdownDeadline, and serr is not
// the server's reply (a refusal has a reply code and is retried as usual).
func cutShort(send context.Context, serr error) bool {
	if !errors.Is(context.Cause(send), errShutdownDeadline) {
		return false
	}
	var reply *gomail.SendError
	return !errors.As(serr, &reply) || reply.ErrorCode() == 0
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
func (w *Worker) build(row *store.Email, regs map[string]*domain.Registration, events map[int64]*domain.Event,
	msgs map[int64]*domain.Message, optedOut map[string]bool) (Email, error) {
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
	// The event's texts, and its country's name, in the language the email
	// will be written in: for an organizer's message, the language its body
	// is in (the event's main one when the reader's was left empty), so
	// that the email is labelled, and framed, as what it holds.
	lang := row.Language
	if m := msgs[row.Payload.OrganizerMessageID]; kind == KindMessage && m != nil && len(ev.Languages) > 0 {
		lang = m.Texts.Language(resolveLanguage(row.Language, ev.Languages), ev.Languages[0])
	}
	ev = ev.In(resolveLanguage(lang, ev.Languages))
	d := Data{
		Event: Event{
			Title: ev.Title, Venue: ev.Venue, City: ev.City,
			CountryCode: ev.Country, CountryName: w.Renderer.CountryName(lang, ev.Languages, ev.Country),
			StartsOn: ev.StartsOn.Time(), EndsOn: ev.EndsOn.Time(),
			DayStartsAt: ev.DayStartsAt, DayEndsAt: ev.DayEndsAt,
			Timezone: ev.Timezone, Languages: ev.Languages,
		},
		OrganizerMessage: row.Payload.Message,
		Changes:          row.Payload.Changes,
		Questions:        ev.Questions,
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
		d.Rejected = reg.Status == domain.StatusRejected
		for _, day := range reg.Days {
			d.Days = append(d.Days, day.Time())
		}
	}
	if row.Payload.SealedToken != "" {
		token, err := w.Sealer.Open(row.Payload.SealedToken)
		if err != nil {
			return Email{}, err
		}
		if linkless(kind) {
			d.InviteURL = inviteURL(kind, w.BaseURL, token)
		} else {
			d.ManageURL = w.BaseURL + "/r/" + token
			d.ConfirmURL = d.ManageURL + "?action=confirm"
			d.CancelURL = d.ManageURL + "?action=cancel"
		}
	}
	d.TeamRole = string(row.Payload.Role)
	if reg == nil && kind == KindParticipantInvitation {
		d.Participant.FirstName = row.RecipientName // the invitee's name, as imported
	}
	d.Quota = row.Payload.Quota
	if row.Payload.Delegation != "" {
		d.Delegation = w.Renderer.DelegationName(lang, ev.Languages, row.Payload.Delegation)
	}
	d.WebhookURL = row.Payload.WebhookURL
	if kind == KindMessage {
		if err := w.fillMessage(&d, row, lang, reg, ev, msgs[row.Payload.OrganizerMessageID], optedOut); err != nil {
			return Email{}, err
		}
	}
	e, err := w.Renderer.Build(kind, lang, d, "<"+row.MessageID+">",
		mail.Address{Name: row.RecipientName, Address: row.Recipient})
	e.ListUnsubscribe = d.UnsubscribeURL
	return e, err
}
