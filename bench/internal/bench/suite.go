package bench

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// Parts lists the parts in the order the suite runs them.
var Parts = []string{"register", "burst", "mail", "export", "views", "go", "documents", "growth"}

// Options configure a run of the suite.
type Options struct {
	Parts        []string
	Registration RegistrationOptions
	Burst        BurstOptions
	Mail         MailOptions
	Data         DataOptions
	Growth       GrowthOptions
	GoBenchTime  string
	Command      string // how the suite was invoked, for the report
}

// DefaultOptions are the bounds `make bench` uses: the whole suite in about
// ten minutes on two cores.
func DefaultOptions() Options {
	return Options{
		Parts: Parts,
		Registration: RegistrationOptions{
			Probe: 5 * time.Second, Confirm: 30 * time.Second, Latency: 10 * time.Second,
			Pgbench: 20 * time.Second, P99Limit: 100 * time.Millisecond, MaxSteps: 9,
		},
		Burst:       BurstOptions{Requests: 1000, Within: 10 * time.Second, Capacity: 100, P99Limit: 100 * time.Millisecond},
		Mail:        MailOptions{Emails: 10000, SteadyFor: 10 * time.Second},
		Data:        DataOptions{Registrations: 100000, Requests: 200, Budget: 90 * time.Second, StatsP99: 50 * time.Millisecond},
		Growth:      GrowthOptions{Sizes: []int{10_000, 1_000_000}, Rate: 100, For: 10 * time.Second, StatsRequests: 50},
		GoBenchTime: "1s",
	}
}

// Run runs the chosen parts one after another; a part that fails is
// reported and the others still run.
func Run(ctx context.Context, e *Env, o Options) []*Result {
	var results []*Result
	for _, p := range o.Parts {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		loadBefore, pressureBefore := loadAverage(), cpuPressure()
		e.Log.Printf("== part %s (load average %s, CPU pressure %s)", p, loadBefore, pressureBefore)
		var r *Result
		switch p {
		case "register":
			r = Registrations(ctx, e, o.Registration)
		case "burst":
			r = Burst(ctx, e, o.Burst)
		case "mail":
			r = Mail(ctx, e, o.Mail)
		case "export":
			r = Exports(ctx, e, o.Data)
		case "views":
			r = Views(ctx, e, o.Data)
		case "growth":
			r = Growth(ctx, e, o.Growth)
		case "go":
			r = GoBench(ctx, e, o.GoBenchTime)
		case "documents":
			r = Documents(ctx, e)
		default:
			r = &Result{Part: p, Err: fmt.Errorf("unknown part %q (want one of %s)", p, strings.Join(Parts, ", "))}
		}
		r.Elapsed = time.Since(start)
		r.note("The machine is shared: load average (1, 5, 15 min) %s at the start of the part, %s at its end; CPU pressure (share of the last 60 s in which some runnable task waited for a core, /proc/pressure/cpu) %s at the start, %s at the end.",
			loadBefore, loadAverage(), pressureBefore, cpuPressure())
		if r.Err != nil {
			e.Log.Printf("part %s: %v", p, r.Err)
		}
		results = append(results, r)
	}
	return results
}

// Machine describes where the suite ran.
func (e *Env) Machine(ctx context.Context) []string {
	var out []string
	out = append(out, fmt.Sprintf("cores (nproc): %d", runtime.NumCPU()))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				var kb int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err == nil {
					out = append(out, fmt.Sprintf("memory: %.1f GiB", float64(kb)/(1<<20)))
				}
			}
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				out = append(out, "CPU: "+strings.TrimSpace(v))
				break
			}
		}
	}
	if b, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		out = append(out, "kernel: "+strings.TrimSpace(string(b)))
	}
	if db, err := sql.Open("postgres", e.AdminURL); err == nil {
		var v string
		if db.QueryRowContext(ctx, `SELECT version()`).Scan(&v) == nil {
			out = append(out, "PostgreSQL: "+v)
		}
		var settings []string
		rows, err := db.QueryContext(ctx, `SELECT name, setting || coalesce(unit, '') FROM pg_settings
			WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'work_mem') ORDER BY name`)
		if err == nil {
			for rows.Next() {
				var n, s string
				if rows.Scan(&n, &s) == nil {
					settings = append(settings, n+"="+s)
				}
			}
			rows.Close()
			out = append(out, "PostgreSQL settings: "+strings.Join(settings, ", ")+" (shared_buffers in 8kB pages)")
		}
		db.Close()
	}
	if b, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		out = append(out, "Go: "+strings.TrimSpace(string(b)))
	}
	return out
}

const (
	docBegin = "<!-- bench:begin (written by attend-bench; edit outside these markers) -->"
	docEnd   = "<!-- bench:end -->"
)

// WriteDoc replaces the generated part of docs/PERFORMANCE.md (between the
// markers), keeping the hand-written text around it.
func WriteDoc(path string, machine []string, command string, started time.Time, took time.Duration, results []*Result) error {
	var gen bytes.Buffer
	fmt.Fprintln(&gen, docBegin)
	fmt.Fprintf(&gen, "## Last run\n\n%s, took %s. Command: `%s`\n\n", started.UTC().Format("2006-01-02 15:04 UTC"), took.Round(time.Second), command)
	for _, m := range machine {
		fmt.Fprintf(&gen, "- %s\n", m)
	}
	fmt.Fprintln(&gen)
	WriteMarkdown(&gen, results)
	fmt.Fprintln(&gen, docEnd)

	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var out []byte
	if i, j := bytes.Index(old, []byte(docBegin)), bytes.Index(old, []byte(docEnd)); i >= 0 && j > i {
		out = append(out, old[:i]...)
		out = append(out, gen.Bytes()...)
		if rest := bytes.TrimLeft(old[j+len(docEnd):], "\n"); len(rest) > 0 {
			out = append(out, '\n')
			out = append(out, rest...)
		}
	} else {
		out = append(old, '\n')
		out = append(out, gen.Bytes()...)
	}
	return os.WriteFile(path, out, 0o644)
}

// Print writes the machine and the table to w.
func Print(w io.Writer, machine []string, results []*Result) {
	fmt.Fprintln(w)
	for _, m := range machine {
		fmt.Fprintln(w, m)
	}
	fmt.Fprintln(w)
	WriteText(w, results)
}

func isNotAvailable(err error) bool { return errors.Is(err, errNotAvailable) }

// loadAverage is the machine's load average from /proc/loadavg: how many
// processes, ours and others', wanted the cores.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cpuPressure is the kernel's "some avg60" CPU pressure: the share of the
// last minute in which at least one runnable task waited for a core.
func cpuPressure() string {
	b, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return "unknown"
	}
	for _, f := range strings.Fields(strings.SplitN(string(b), "\n", 2)[0]) {
		if v, ok := strings.CutPrefix(f, "avg60="); ok {
			return v + "%"
		}
	}
	return "unknown"
}
