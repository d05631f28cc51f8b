package notify

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/pgtest"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/internal/smtptest"
	"github.com/attend/attend/store"
)

// workerRig is the outbox on a fresh database with one open event, a real
// SMTP server, and whatever workers a test builds against them.
type workerRig struct {
	t        *testing.T
	ctx      context.Context
	db       *sqlx.DB
	st       *store.Store
	smtp     *smtptest.Server
	renderer *Renderer
	ev       *domain.Event
	rules    *domain.Rules
	people   atomic.Int64
}

// newWorkerRig uses db, or a fresh database when db is nil.
func newWorkerRig(t *testing.T, db *sqlx.DB) *workerRig {
	t.Helper()
	if db == nil {
		db = pgtest.NewDB(t)
	}
	db.SetMaxOpenConns(20)
	st := store.New(db)
	sealer, err := seal.New([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	st.Sealer = sealer
	st.MailHost = "attend.example.org"
	r := &workerRig{t: t, ctx: context.Background(), db: db, st: st, smtp: smtptest.Start(t),
		renderer: newTestRenderer(t), rules: domain.NewRules()}

	org, err := domain.NewOrganizer("organizer@example.org", "Organizer")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganizer(r.ctx, org); err != nil {
		t.Fatal(err)
	}
	start := domain.DateOf(time.Now()).AddDays(30)
	r.ev, err = r.rules.NewEvent(domain.EventInput{
		Slug: domain.Some("egov-workshop"), Title: domain.Some("E-government workshop"),
		Country: domain.Some("UZ"), City: domain.Some("Tashkent"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some(start.String()), EndsOn: domain.Some(start.AddDays(1).String()),
		Languages: domain.Some([]string{"en", "ru", "uz"}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateEvent(r.ctx, org.ID, r.ev); err != nil {
		t.Fatal(err)
	}
	return r
}

// worker builds a worker as cmd/attend does, with its own SMTP sender
// (commandTimeout for each SMTP step) and a fast retry schedule.
// checkSentOnce checks that n distinct messages arrived, each once, and
// that the outbox has them all as sent.
func (r *workerRig) checkSentOnce(n int) {
	r.t.Helper()
	got := r.deliveries()
	if len(got) != n {
		r.t.Errorf("%d distinct messages delivered, want %d", len(got), n)
	}
	for id, times := range got {
		if times != 1 {
			r.t.Errorf("%s delivered %d times", id, times)
		}
	}
	if counts := r.outbox(); counts[domain.EmailSent] != n {
		r.t.Errorf("outbox %v, want all %d sent", counts, n)
	}
}

func (r *workerRig) worker(commandTimeout time.Duration) *Worker {
	r.t.Helper()
	cfg, err := ParseSMTPURL(r.smtp.URL())
	if err != nil {
		r.t.Fatal(err)
	}
	sender, err := NewSender(cfg, SenderOptions{
		From: "attend <noreply@attend.example.org>", DialTimeout: 5 * time.Second, CommandTimeout: commandTimeout,
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return &Worker{
		Store: r.st, Renderer: r.renderer, Sender: sender, Sealer: r.st.Sealer, Log: newWorkerLog(r.t),
		BaseURL:   "https://attend.example.org",
		BatchSize: 20,
		Poll:      time.Minute,
		Lease:     time.Minute,
		Backoff:   domain.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond, MaxAttempts: 100},
	}
}

// queue registers n new people, which queues n confirmation requests.
func (r *workerRig) queue(n int) {
	r.t.Helper()
	yes := true
	for range n {
		i := r.people.Add(1)
		reg, err := r.rules.NewRegistration(domain.RegistrationInput{
			FirstName: "Дилноза", LastName: fmt.Sprintf("Юсупова %d", i), Email: fmt.Sprintf("person%d@example.uz", i),
			Country: "UZ", Organization: "CERR", Role: "researcher", Language: "ru", Consent: &yes,
		}, r.ev, time.Now())
		if err != nil {
			r.t.Fatal(err)
		}
		if _, err := r.st.Register(r.ctx, r.ev, reg); err != nil {
			r.t.Fatal(err)
		}
	}
}

// outbox counts the emails per status.
func (r *workerRig) outbox() map[domain.EmailStatus]int {
	r.t.Helper()
	var rows []struct {
		Status domain.EmailStatus `db:"status"`
		N      int                `db:"n"`
	}
	if err := r.db.SelectContext(r.ctx, &rows, `SELECT status, count(*) AS n FROM emails GROUP BY status`); err != nil {
		r.t.Fatal(err)
	}
	out := map[domain.EmailStatus]int{}
	for _, row := range rows {
		out[row.Status] = row.N
	}
	return out
}

// drainUntilSent runs batches until every email is sent, waiting as long
// as retries or leases need, up to a generous deadline.
func (r *workerRig) drainUntilSent(w *Worker) {
	r.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := w.Drain(r.ctx, r.ctx); err != nil {
			r.t.Fatalf("Drain: %v", err)
		}
		counts := r.outbox()
		if counts[domain.EmailQueued] == 0 && counts[domain.EmailSending] == 0 {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("emails still unsent after 30s: %v", counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deliveries counts received messages per Message-ID and checks that each
// one is a row of the outbox.
func (r *workerRig) deliveries() map[string]int {
	r.t.Helper()
	var ids []string
	if err := r.db.SelectContext(r.ctx, &ids, `SELECT message_id FROM emails`); err != nil {
		r.t.Fatal(err)
	}
	known := map[string]bool{}
	for _, id := range ids {
		known["<"+id+">"] = true
	}
	out := map[string]int{}
	for _, m := range r.smtp.Messages() {
		msg, err := m.Parse()
		if err != nil {
			r.t.Fatal(err)
		}
		id := msg.Header.Get("Message-Id")
		if !known[id] {
			r.t.Errorf("received Message-ID %q is not in the outbox", id)
		}
		out[id]++
	}
	return out
}

// newWorkerLog writes the worker's log to the test log while the test runs
// (a listener goroutine may log a moment after it ends).
func newWorkerLog(t *testing.T) *slog.Logger {
	w := &testLogWriter{out: t.Output()}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.out = io.Discard
	})
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type testLogWriter struct {
	mu  sync.Mutex
	out io.Writer
}

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

func TestWorkerDeliversEverythingOnceAfterTheServerComesBack(t *testing.T) {
	r := newWorkerRig(t, nil)
	const n = 20
	r.queue(n)
	w := r.worker(5 * time.Second)

	r.smtp.SetMode(smtptest.ModeTempFail)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, _, err := w.RunBatch(r.ctx); err != nil {
			t.Fatalf("RunBatch: %v", err)
		}
		var fewest int
		if err := r.db.GetContext(r.ctx, &fewest, `SELECT min(attempts) FROM emails`); err != nil {
			t.Fatal(err)
		}
		if fewest >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("emails were not retried: fewest attempts %d after 30s", fewest)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(r.smtp.Messages()); got != 0 {
		t.Fatalf("%d messages delivered while the server refused them", got)
	}
	t.Run("while the server refuses, emails wait with the reason", func(t *testing.T) {
		var errs []string
		if err := r.db.SelectContext(r.ctx, &errs, `SELECT coalesce(last_error, '') FROM emails`); err != nil {
			t.Fatal(err)
		}
		for _, e := range errs {
			if !strings.Contains(e, "451") {
				t.Errorf("last_error %q, want the 451 reply", e)
			}
		}
		if got := r.outbox(); got[domain.EmailFailed] != 0 || got[domain.EmailSent] != 0 {
			t.Errorf("outbox %v, want nothing sent or failed", got)
		}
	})

	r.smtp.SetMode(smtptest.ModeAccept)
	r.drainUntilSent(w)
	r.checkSentOnce(n)
}

func TestWorkerGivesUp(t *testing.T) {
	tests := []struct {
		name         string
		mode         smtptest.Mode
		maxAttempts  int
		wantAttempts int
		wantError    string
	}{
		{"on a permanent rejection at once, without retrying", smtptest.ModePermFail, 100, 1, "550"},
		{"on temporary rejections after the last attempt", smtptest.ModeTempFail, 3, 3, "after 3 attempts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newWorkerRig(t, nil)
			r.queue(1)
			w := r.worker(5 * time.Second)
			w.Backoff.MaxAttempts = tt.maxAttempts
			r.smtp.SetMode(tt.mode)
			var e struct {
				Status    domain.EmailStatus `db:"status"`
				Attempts  int                `db:"attempts"`
				LastError string             `db:"last_error"`
			}
			// Keep running batches well past the point of giving up; only
			// then is "not retried" shown.
			for range 2 * tt.wantAttempts {
				waitFor(t, "the email to be due or settled", func() bool {
					var due bool
					if err := r.db.GetContext(r.ctx, &due, `
						SELECT status = 'failed' OR next_attempt_at <= now() FROM emails`); err != nil {
						t.Fatal(err)
					}
					return due
				})
				if _, _, err := w.RunBatch(r.ctx); err != nil {
					t.Fatal(err)
				}
			}
			if err := r.db.GetContext(r.ctx, &e, `
				SELECT status, attempts, coalesce(last_error, '') AS last_error FROM emails`); err != nil {
				t.Fatal(err)
			}
			if e.Status != domain.EmailFailed || e.Attempts != tt.wantAttempts || !strings.Contains(e.LastError, tt.wantError) {
				t.Errorf("email is %s after %d attempts with %q; want failed after %d with %q",
					e.Status, e.Attempts, e.LastError, tt.wantAttempts, tt.wantError)
			}
			if n := len(r.smtp.Messages()); n != 0 {
				t.Errorf("%d messages delivered, want 0", n)
			}
		})
	}
}

func TestTwoWorkersSendEachEmailOnce(t *testing.T) {
	for _, connections := range []int{1, 4} {
		t.Run(fmt.Sprintf("%d connections each", connections), func(t *testing.T) {
			r := newWorkerRig(t, nil)
			const n = 200
			r.queue(n)
			workers := []*Worker{r.worker(5 * time.Second), r.worker(5 * time.Second)}
			var (
				wg   sync.WaitGroup
				sent atomic.Int64
			)
			for _, w := range workers {
				w.Connections = connections
				wg.Go(func() {
					got, err := w.Drain(r.ctx, r.ctx)
					if err != nil {
						t.Errorf("Drain: %v", err)
					}
					sent.Add(int64(got))
				})
			}
			wg.Wait()

			if sent.Load() != n {
				t.Errorf("workers report %d sent, want %d", sent.Load(), n)
			}
			if msgs := r.smtp.Messages(); len(msgs) != n {
				t.Errorf("%d messages received, want %d", len(msgs), n)
			}
			r.checkSentOnce(n)
		})
	}
}

// TestWorkerWithMoreConnectionsThanItsPoolFinishes runs more batches at
// once than the worker's database pool has connections, against a server
// that defers every message: each batch holds a connection for its sent
// marks while it sends, and must give it back before it takes another to
// schedule the retries, or the batches wait for each other for ever.
func TestWorkerWithMoreConnectionsThanItsPoolFinishes(t *testing.T) {
	r := newWorkerRig(t, nil)
	const n = 120
	r.queue(n)
	r.db.SetMaxOpenConns(2)
	r.smtp.SetMode(smtptest.ModeTempFail)
	w := r.worker(5 * time.Second)
	w.Connections = 4
	w.Backoff = domain.Backoff{Base: time.Hour, Max: time.Hour, MaxAttempts: 10}
	ctx, cancel := context.WithTimeout(r.ctx, 30*time.Second)
	defer cancel()
	if _, err := w.Drain(ctx, ctx); err != nil || ctx.Err() != nil {
		t.Fatalf("Drain with every message deferred: %v (context: %v)", err, ctx.Err())
	}
	if counts := r.outbox(); counts[domain.EmailQueued] != n {
		t.Fatalf("outbox %v, want all %d queued for a retry", counts, n)
	}
	if _, err := r.db.Exec(`UPDATE emails SET next_attempt_at = now()`); err != nil {
		t.Fatal(err)
	}
	r.smtp.SetMode(smtptest.ModeAccept)
	r.drainUntilSent(w)
	r.checkSentOnce(n)
}

// crashAfterSend hands the batch to the real sender and "kills" the worker
// right after the server accepted message number at, before the worker
// could record it.
type crashAfterSend struct {
	BatchSender
	at    int
	crash context.CancelFunc
}

func (c crashAfterSend) SendBatchFunc(ctx context.Context, emails []Email, accepted func(int)) []error {
	return c.BatchSender.SendBatchFunc(ctx, emails, func(i int) {
		if i == c.at {
			c.crash()
			return
		}
		accepted(i)
	})
}

func TestACrashedWorkersEmailsAreDeliveredByTheNextOne(t *testing.T) {
	const lease = 300 * time.Millisecond

	t.Run("a worker stopped while the server stalls loses nothing", func(t *testing.T) {
		r := newWorkerRig(t, nil)
		r.queue(5)
		r.smtp.SetMode(smtptest.ModeStall)
		crashed := r.worker(time.Minute)
		crashed.Lease = lease
		ctx, kill := context.WithCancel(r.ctx)
		done := make(chan error, 1)
		go func() { _, _, err := crashed.RunBatch(ctx); done <- err }()
		waitFor(t, "the batch to be claimed and the server to stall", func() bool {
			return r.outbox()[domain.EmailSending] == 5 && r.smtp.Connections() > 0
		})
		kill()
		<-done // its outcome is whatever a dying process manages; the rows are what matter

		r.smtp.SetMode(smtptest.ModeAccept)
		r.drainUntilSent(r.worker(5 * time.Second))
		got := r.deliveries()
		if len(got) != 5 {
			t.Errorf("%d distinct messages delivered, want 5", len(got))
		}
		for id, times := range got {
			if times != 1 {
				t.Errorf("%s delivered %d times; nothing reached the server before the crash", id, times)
			}
		}
	})

	t.Run("a worker that died before recording a send resends only that one, with the same Message-ID", func(t *testing.T) {
		r := newWorkerRig(t, nil)
		r.queue(5)
		crashed := r.worker(5 * time.Second)
		crashed.Lease = lease
		ctx, kill := context.WithCancel(r.ctx)
		crashed.Sender = crashAfterSend{BatchSender: crashed.Sender, at: 2, crash: kill}
		if _, _, err := crashed.RunBatch(ctx); err == nil {
			t.Fatal("RunBatch recorded its sends despite the crash")
		}
		if got := r.outbox(); got[domain.EmailSent] != 2 || got[domain.EmailSending] != 3 {
			t.Fatalf("outbox after the crash %v, want the 2 accepted before it recorded and 3 left sending", got)
		}

		r.drainUntilSent(r.worker(5 * time.Second))
		got := r.deliveries()
		if len(got) != 5 {
			t.Errorf("%d distinct messages delivered, want 5", len(got))
		}
		twice := 0
		for id, times := range got {
			switch times {
			case 1:
			case 2:
				twice++
			default:
				t.Errorf("%s delivered %d times", id, times)
			}
		}
		if twice != 1 {
			t.Errorf("%d messages delivered twice, want exactly 1: the one in flight at the crash", twice)
		}
	})

	t.Run("emails claimed and abandoned are sent once the lease runs out", func(t *testing.T) {
		r := newWorkerRig(t, nil)
		r.queue(5)
		if rows, err := r.st.ClaimDue(r.ctx, 100, lease); err != nil || len(rows) != 5 {
			t.Fatalf("ClaimDue = %d rows, %v", len(rows), err)
		}
		r.drainUntilSent(r.worker(5 * time.Second))
		got := r.deliveries()
		if len(got) != 5 {
			t.Errorf("%d distinct messages delivered, want 5", len(got))
		}
		for id, times := range got {
			if times != 1 {
				t.Errorf("%s delivered %d times", id, times)
			}
		}
	})
}

func TestRunWakesUpOnNotify(t *testing.T) {
	url := pgtest.NewURL(t)
	db, err := store.Open(context.Background(), url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := newWorkerRig(t, db)
	w := r.worker(5 * time.Second)
	w.ListenDSN = url
	w.Poll = time.Hour // so only a notification can wake it in time
	w.PeriodicEvery = time.Hour

	ctx, stop := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	// The first email is sent by the drain Run starts with; once it has
	// arrived, the worker is idle and waiting.
	r.queue(1)
	r.smtp.WaitFor(t, 1, 10*time.Second)
	waitFor(t, "the first email to be recorded as sent", func() bool { return r.outbox()[domain.EmailSent] == 1 })

	r.queue(1)
	r.smtp.WaitFor(t, 2, 10*time.Second)
	if got := r.deliveries(); len(got) != 2 {
		t.Errorf("%d distinct messages delivered, want 2", len(got))
	}
}

// waitFor polls cond until it holds, failing the test after a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestShutdownHandsUnsentEmailsBackAtTheDeadline stops a worker while the
// server, after accepting two messages, has stalled on the third: the
// worker must stop sending at its shutdown deadline, well before the SMTP
// timeout, and hand the three unsent emails back due at once, so that the
// next worker sends them without waiting for the lease and nothing is lost.
func TestShutdownHandsUnsentEmailsBackAtTheDeadline(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.queue(5)
	r.smtp.SetMode(smtptest.ModeStall)
	r.smtp.QueueModes(smtptest.ModeAccept, smtptest.ModeAccept)
	w := r.worker(time.Hour) // only the shutdown deadline can end the stall
	w.ShutdownTimeout = 100 * time.Millisecond
	w.PeriodicEvery = time.Hour

	ctx, stop := context.WithCancel(r.ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	waitFor(t, "two emails sent and the server stalling on the third", func() bool {
		return r.outbox()[domain.EmailSent] == 2 && r.smtp.Connections() > 0
	})
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run was still sending 10s after its shutdown, with a 100ms deadline")
	}

	var due int
	if err := r.db.GetContext(r.ctx, &due, `
		SELECT count(*) FROM emails
		WHERE status = 'queued' AND locked_until IS NULL AND attempts = 0 AND next_attempt_at <= now()`); err != nil {
		t.Fatal(err)
	}
	if counts := r.outbox(); due != 3 || counts[domain.EmailSent] != 2 {
		t.Errorf("outbox %v with %d due at once and uncounted, want 2 sent and the other 3 handed back", counts, due)
	}
	r.smtp.SetMode(smtptest.ModeAccept)
	if sent, err := r.worker(5*time.Second).Drain(r.ctx, r.ctx); err != nil || sent != 3 {
		t.Fatalf("the next worker sent %d (%v), want the 3 handed back, at once", sent, err)
	}
	r.checkSentOnce(5)
}
