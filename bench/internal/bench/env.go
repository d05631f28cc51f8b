// Package bench is attend's performance suite: it starts what each part
// needs (its own database, an attend binary, an SMTP sink), drives load on
// loopback only, compares against baselines measured in the same run, and
// cleans up after itself. See docs/PERFORMANCE.md.
package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/lib/pq" // registers the "postgres" driver
)

// Env is one run of the suite: its scratch directory, the attend binary it
// built, and every database and process it created, so that Close can undo
// exactly those and nothing else.
type Env struct {
	Root      string // the attend repository
	Work      string // scratch directory, removed by Close
	AttendBin string
	AdminURL  string // a maintenance database on the server the bench uses
	Log       *log.Logger
	// DBMaxOpenConns is the pool size given to every attend process, and
	// the client count of the pgbench baseline (the same concurrency).
	DBMaxOpenConns int
	Keep           bool // keep the scratch directory (logs) after Close

	mu    sync.Mutex
	procs []*Proc
	dbs   []string
	seq   int
}

// NewEnv makes the scratch directory and checks the database server answers.
func NewEnv(ctx context.Context, root, adminURL string, logger *log.Logger) (*Env, error) {
	work, err := os.MkdirTemp("", "attend-bench-")
	if err != nil {
		return nil, err
	}
	e := &Env{Root: root, Work: work, AdminURL: adminURL, Log: logger}
	db, err := sql.Open("postgres", adminURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		os.RemoveAll(work)
		return nil, fmt.Errorf("bench: PostgreSQL at %s does not answer: %w", redact(adminURL), err)
	}
	return e, nil
}

// Close stops every process the run started (by PID) and drops every
// database it created. It is safe to call more than once.
func (e *Env) Close() {
	e.mu.Lock()
	procs, dbs := e.procs, e.dbs
	e.procs, e.dbs = nil, nil
	e.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].Stop(5 * time.Second)
	}
	if len(dbs) > 0 {
		if db, err := sql.Open("postgres", e.AdminURL); err == nil {
			for _, name := range dbs {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+quoteIdent(name)+` WITH (FORCE)`); err != nil {
					e.Log.Printf("drop database %s: %v", name, err)
				}
				cancel()
			}
			db.Close()
		}
	}
	if !e.Keep && e.Work != "" {
		os.RemoveAll(e.Work)
	}
}

// Build compiles ./cmd/attend into the scratch directory.
func (e *Env) Build(ctx context.Context) error {
	bin := filepath.Join(e.Work, "attend")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/attend")
	cmd.Dir = e.Root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bench: build attend: %w", err)
	}
	e.AttendBin = bin
	return nil
}

// CreateDB creates an empty database owned by this run and returns its URL.
func (e *Env) CreateDB(ctx context.Context, part string) (string, error) {
	e.mu.Lock()
	e.seq++
	name := fmt.Sprintf("attend_bench_%d_%s_%d", os.Getpid(), part, e.seq)
	e.mu.Unlock()
	db, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+quoteIdent(name)); err != nil {
		return "", fmt.Errorf("bench: create database %s: %w", name, err)
	}
	e.mu.Lock()
	e.dbs = append(e.dbs, name)
	e.mu.Unlock()
	u, err := url.Parse(e.AdminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// Proc is a child process the run started.
type Proc struct {
	Name string
	Cmd  *exec.Cmd
	done chan struct{}
	err  error
}

// Start runs cmd as a child that dies with the bench (Pdeathsig) and is
// stopped by Close if still running.
func (e *Env) Start(name string, cmd *exec.Cmd) (*Proc, error) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", name, err)
	}
	p := &Proc{Name: name, Cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	e.mu.Lock()
	e.procs = append(e.procs, p)
	e.mu.Unlock()
	return p, nil
}

// PID is the child's process id.
func (p *Proc) PID() int { return p.Cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process (by its PID only), waits up to grace,
// then SIGKILL. The process group was created for this child alone.
func (p *Proc) Stop(grace time.Duration) error {
	if p.Exited() {
		return p.err
	}
	_ = p.Cmd.Process.Signal(syscall.SIGTERM) // it may have exited meanwhile
	select {
	case <-p.done:
		return p.err
	case <-time.After(grace):
	}
	_ = p.Cmd.Process.Kill()
	<-p.done
	return p.err
}

// Status reads a field of /proc/PID/status in kB (VmRSS, VmHWM).
func (p *Proc) Status(field string) (int64, error) {
	return procStatus(p.PID(), field)
}

// ResetPeak resets the process's VmHWM to its current RSS (Linux
// clear_refs 5), so the next peak read measures one step alone.
func (p *Proc) ResetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", p.PID()), []byte("5"), 0)
}

func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// LogFile opens a file in the scratch directory for a child's output.
func (e *Env) LogFile(name string) (*os.File, error) {
	return os.Create(filepath.Join(e.Work, name))
}

// Tail returns the last lines of a log in the scratch directory, for errors.
func (e *Env) Tail(name string, n int) string {
	b, err := os.ReadFile(filepath.Join(e.Work, name))
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// run runs a short command to completion, returning its standard output.
func run(ctx context.Context, env []string, stdin io.Reader, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = stdin
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// errNotAvailable marks a part whose endpoint or table is not in this build.
var errNotAvailable = errors.New("not available")

// commandContext is exec.CommandContext for a child that dies with the bench.
func commandContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	return cmd
}

// CPU is the processor time (user and system) the process has used so far.
func (p *Proc) CPU() (time.Duration, error) { return procCPU(p.PID()) }

// clockTick is the unit of /proc's CPU times (USER_HZ is 100 on Linux).
const clockTick = 10 * time.Millisecond

// procStatFields are the fields of /proc/PID/stat after the command name,
// which is returned apart (field 2, in parentheses, may hold spaces):
// fields[1] is the parent, fields[11] to [14] utime, stime, cutime, cstime.
func procStatFields(pid int) (name string, fields []string, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", nil, err
	}
	open, end := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
	if open < 0 || end < open {
		return "", nil, fmt.Errorf("bench: /proc/%d/stat: no command name", pid)
	}
	fields = strings.Fields(string(b[end+1:]))
	if len(fields) < 15 {
		return "", nil, fmt.Errorf("bench: /proc/%d/stat: %d fields", pid, len(fields))
	}
	return string(b[open+1 : end]), fields, nil
}

// ticks sums the clock ticks in fields at the given indexes.
func ticks(fields []string, at ...int) time.Duration {
	var n int64
	for _, i := range at {
		v, _ := strconv.ParseInt(fields[i], 10, 64)
		n += v
	}
	return time.Duration(n) * clockTick
}

// procCPU is a process's utime and stime.
func procCPU(pid int) (time.Duration, error) {
	_, f, err := procStatFields(pid)
	if err != nil {
		return 0, err
	}
	return ticks(f, 11, 12), nil
}

// selfCPU is the processor time this process has used so far.
func selfCPU() time.Duration { return rusageCPU(syscall.RUSAGE_SELF) }

// rusageCPU is the user and system time of getrusage(who).
func rusageCPU(who int) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(who, &ru); err != nil {
		return unmeasured
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
