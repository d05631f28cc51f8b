package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/attend/attend/config"
	"github.com/attend/attend/migrations"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/store"
)

// app carries what every command needs from the process.
type app struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// listening, when set, learns the address the server bound (tests use
	// HTTP_ADDR=127.0.0.1:0).
	listening func(addr string)
}

// config reads the settings and reports every problem in one error, before
// the command connects to anything. SMTP_URL, when set, is parsed here too:
// its rules live with the mail sender, not in the config package.
func (a *app) config(need config.Need) (config.Config, error) {
	cfg, err := config.Load(a.getenv, need)
	var problems config.Problems
	if err != nil && !errors.As(err, &problems) {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	if cfg.SMTPURL != "" {
		if _, err := notify.ParseSMTPURL(cfg.SMTPURL); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return cfg, fmt.Errorf("configuration: %w", problems)
	}
	return cfg, nil
}

func (a *app) logger(cfg config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config.Load
	return slog.New(slog.NewJSONHandler(a.stderr, &slog.HandlerOptions{Level: level}))
}

// open connects to the database with the configured limits; warm opens
// the pool's connections at once (serve and worker, not one-shot commands).
func (a *app) open(ctx context.Context, cfg config.Config, warm bool) (*sqlx.DB, error) {
	return store.Open(ctx, store.WithTimeouts(cfg.DatabaseURL, cfg.DBStatementTimeout), store.Options{
		MaxOpenConns: cfg.DBMaxOpenConns,
		MaxIdleConns: cfg.DBMaxOpenConns,
		Warm:         warm,
	})
}

// applyMigrations runs the migrations on a connection of their own without
// the request-sized statement and lock timeouts: building an index on a big
// table, or waiting for a table lock under traffic, may take longer.
func (a *app) applyMigrations(ctx context.Context, cfg config.Config) error {
	db, err := store.Open(ctx, cfg.DatabaseURL, store.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	return migrations.Up(ctx, db.DB)
}

// ready opens the database and makes sure its schema is current: serve
// applies pending migrations itself (apply), the other commands refuse to
// run on an outdated schema rather than fail half-way. A server (serve,
// worker) warms its connection pool.
func (a *app) ready(ctx context.Context, cfg config.Config, apply, server bool) (*sqlx.DB, error) {
	db, err := a.open(ctx, cfg, server)
	if err != nil {
		return nil, err
	}
	if apply {
		err = a.applyMigrations(ctx, cfg)
	} else if n, perr := migrations.Pending(ctx, db.DB); perr != nil {
		err = perr
	} else if n > 0 {
		err = fmt.Errorf("the database has %d pending migrations: run `attend migrate` first", n)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (a *app) migrate(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("migrate takes no arguments")
	}
	cfg, err := a.config(config.Need{})
	if err != nil {
		return err
	}
	if err := a.applyMigrations(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, "migrations applied")
	return nil
}

// flags parses "--name value" and "--name=value" pairs for the few
// administrative commands; unknown or missing flags are errors.
func flags(args []string, names ...string) (map[string]string, error) {
	out := map[string]string{}
	known := map[string]bool{}
	for _, n := range names {
		known[n] = true
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "--") {
			return nil, fmt.Errorf("unexpected argument %q", arg)
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !known[name] {
			return nil, fmt.Errorf("unknown flag --%s", name)
		}
		if !hasValue {
			if strings.HasSuffix(name, "-stdin") {
				value = "true"
			} else {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("flag --%s needs a value", name)
				}
				i++
				value = args[i]
			}
		}
		out[name] = value
	}
	return out, nil
}
