package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/seal"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/store"
	"github.com/attend/attend/templates"
)

// profileWorker queues n more emails and drains them with notify.Worker in
// this process (the same code path `attend worker` runs, built the same
// way), writing CPU and allocation profiles to dir. attend has no pprof
// endpoint, so this is how the worker is profiled.
func profileWorker(ctx context.Context, e *Env, a *Attend, db *sql.DB, eventID int64, from, n, port int, dir string) (time.Duration, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if err := queueEmails(ctx, db, eventID, n, from); err != nil {
		return 0, err
	}
	xdb, err := store.Open(ctx, a.DSN, store.Options{MaxOpenConns: e.DBMaxOpenConns, MaxIdleConns: e.DBMaxOpenConns})
	if err != nil {
		return 0, err
	}
	defer xdb.Close()
	w, err := newInProcessWorker(xdb, port)
	if err != nil {
		return 0, err
	}
	cpu, err := os.Create(filepath.Join(dir, "worker.cpu.pprof"))
	if err != nil {
		return 0, err
	}
	defer cpu.Close()
	runtime.GC()
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return 0, err
	}
	start := time.Now()
	sent, err := w.Drain(ctx, ctx)
	took := time.Since(start)
	pprof.StopCPUProfile()
	if err != nil {
		return took, err
	}
	if sent != n {
		return took, fmt.Errorf("bench: in-process worker sent %d of %d", sent, n)
	}
	heap, err := os.Create(filepath.Join(dir, "worker.allocs.pprof"))
	if err != nil {
		return took, err
	}
	defer heap.Close()
	return took, pprof.Lookup("allocs").WriteTo(heap, 0)
}

// newInProcessWorker builds notify.Worker as cmd/attend's newWorker does,
// with the default batch size, lease and back-off.
func newInProcessWorker(db *sqlx.DB, port int) (*notify.Worker, error) {
	sealer, err := seal.New([]byte(secretKey))
	if err != nil {
		return nil, err
	}
	st := store.New(db)
	st.Sealer = sealer
	st.MailHost = "bench.invalid"
	smtpCfg, err := notify.ParseSMTPURL(fmt.Sprintf("smtp://127.0.0.1:%d?starttls=off", port))
	if err != nil {
		return nil, err
	}
	sender, err := notify.NewSender(smtpCfg, notify.SenderOptions{From: "attend <noreply@bench.invalid>",
		DialTimeout: 15 * time.Second, CommandTimeout: 15 * time.Second})
	if err != nil {
		return nil, err
	}
	renderer, err := notify.NewRenderer(templates.FS)
	if err != nil {
		return nil, err
	}
	return &notify.Worker{
		Store: st, Renderer: renderer, Sender: sender, Sealer: sealer,
		Log:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
		BaseURL:   "http://127.0.0.1:8080",
		BatchSize: 50, Poll: 10 * time.Second, Lease: 2 * time.Minute,
		Backoff: domain.Backoff{Base: 5 * time.Minute, Max: 6 * time.Hour, MaxAttempts: 11},
	}, nil
}
