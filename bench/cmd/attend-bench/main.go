// Command attend-bench runs attend's performance suite (see
// docs/PERFORMANCE.md): `make bench` runs every part, `make bench-PART` one.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/attend/attend/bench/internal/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "attend-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := bench.DefaultOptions()
	fs := flag.NewFlagSet("attend-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	parts := fs.String("parts", "all", "comma-separated parts to run: all or "+strings.Join(bench.Parts, ","))
	root := fs.String("root", "", "the attend repository (default: found from the working directory)")
	admin := fs.String("admin-url", envOr("BENCH_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"PostgreSQL maintenance database; the bench creates and drops its own databases there")
	doc := fs.String("doc", "", "write the results into this Markdown file (between the bench markers)")
	conns := fs.Int("db-conns", 4*runtime.NumCPU(), "DB_MAX_OPEN_CONNS of attend, and pgbench's client count")
	keep := fs.Bool("keep", false, "keep the scratch directory with the processes' logs")
	fs.DurationVar(&o.Registration.Probe, "probe", o.Registration.Probe, "length of one step of the rate search")
	fs.DurationVar(&o.Registration.Confirm, "confirm", o.Registration.Confirm, "length of the run that confirms the sustained rate")
	fs.DurationVar(&o.Registration.Pgbench, "pgbench", o.Registration.Pgbench, "length of the pgbench baseline")
	fs.IntVar(&o.Mail.Emails, "emails", o.Mail.Emails, "emails queued for the worker")
	fs.IntVar(&o.Data.Registrations, "registrations", o.Data.Registrations, "registrations generated for exports and views")
	fs.StringVar(&o.Mail.ProfileDir, "profile", "", "write CPU and allocation profiles of an in-process mail worker to this directory")
	fs.IntVar(&o.Mail.ProfileEmails, "profile-emails", 2000, "emails the profiled in-process worker drains")
	fs.StringVar(&o.GoBenchTime, "benchtime", o.GoBenchTime, "-benchtime of the Go benchmarks")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *parts != "all" {
		o.Parts = strings.Split(*parts, ",")
	}
	o.Command = "attend-bench " + strings.Join(args, " ")
	if cmd := os.Getenv("BENCH_COMMAND"); cmd != "" {
		o.Command = cmd
	}
	if *root == "" {
		r, err := findRoot()
		if err != nil {
			return err
		}
		*root = r
	}

	logger := log.New(stderr, "bench: ", log.Ltime)
	env, err := bench.NewEnv(ctx, *root, *admin, logger)
	if err != nil {
		return err
	}
	env.DBMaxOpenConns = *conns
	env.Keep = *keep
	defer env.Close()
	if *keep {
		logger.Printf("scratch directory (kept): %s", env.Work)
	}

	started := time.Now()
	if err := env.Build(ctx); err != nil {
		return err
	}
	results := bench.Run(ctx, env, o)
	took := time.Since(started)
	machine := env.Machine(ctx)
	bench.Print(stdout, machine, results)
	if *doc != "" && ctx.Err() == nil {
		if err := bench.WriteDoc(*doc, machine, o.Command, started, took, results); err != nil {
			return err
		}
		logger.Printf("wrote %s", *doc)
	}
	if ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return nil
}

// findRoot walks up from the working directory to attend's go.mod.
func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/attend/attend\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find the attend repository above the working directory; pass -root")
		}
		dir = parent
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
