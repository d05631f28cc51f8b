package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/demo"
	"github.com/attend/attend/store"
)

func (a *app) withStore(ctx context.Context, fn func(*store.Store) error) error {
	cfg, err := a.config(config.Need{})
	if err != nil {
		return err
	}
	db, err := a.ready(ctx, cfg, false, false)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(store.New(db))
}

func (a *app) organizer(ctx context.Context, args []string) error {
	const usage = "usage: attend organizer add --email E --name N [--password-stdin] | attend organizer passwd --email E (password on stdin)"
	if len(args) == 0 {
		return errors.New(usage)
	}
	switch args[0] {
	case "add":
		f, err := flags(args[1:], "email", "name", "password-stdin")
		if err != nil {
			return err
		}
		o, err := domain.NewOrganizer(f["email"], f["name"])
		if err != nil {
			return describe(err)
		}
		var hash string
		if f["password-stdin"] == "true" {
			if hash, err = a.readPassword(); err != nil {
				return err
			}
		}
		return a.withStore(ctx, func(st *store.Store) error {
			if err := st.CreateOrganizer(ctx, o); err != nil {
				return describe(err)
			}
			if hash != "" {
				if err := st.SetPassword(ctx, o.ID, hash); err != nil {
					return err
				}
			}
			fmt.Fprintf(a.stdout, "organizer %s created\n", o.Email)
			return nil
		})
	case "passwd":
		f, err := flags(args[1:], "email")
		if err != nil {
			return err
		}
		if f["email"] == "" {
			return fmt.Errorf("--email is required")
		}
		hash, err := a.readPassword()
		if err != nil {
			return err
		}
		return a.withStore(ctx, func(st *store.Store) error {
			o, err := st.OrganizerByEmail(ctx, f["email"])
			if err != nil {
				return describe(err)
			}
			if err := st.SetPassword(ctx, o.ID, hash); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "password of %s changed; their sessions were signed out\n", o.Email)
			return nil
		})
	}
	return errors.New(usage)
}

// readPassword reads one line from standard input and hashes it, so a
// password never appears in the process list or shell history.
func (a *app) readPassword() (string, error) {
	line, err := bufio.NewReader(io.LimitReader(a.stdin, domain.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	hash, err := domain.HashPassword(pw)
	if err != nil {
		return "", describe(err)
	}
	return hash, nil
}

func (a *app) token(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("usage: attend token create --email E")
	}
	f, err := flags(args[1:], "email")
	if err != nil {
		return err
	}
	if f["email"] == "" {
		return fmt.Errorf("--email is required")
	}
	return a.withStore(ctx, func(st *store.Store) error {
		o, err := st.OrganizerByEmail(ctx, f["email"])
		if err != nil {
			return describe(err)
		}
		token, hash, err := domain.NewToken()
		if err != nil {
			return err
		}
		if err := st.CreateAPIToken(ctx, o.ID, hash); err != nil {
			return err
		}
		// Only the token on stdout, so scripts can capture it.
		fmt.Fprintln(a.stdout, token)
		return nil
	})
}

func (a *app) demo(ctx context.Context, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("demo takes no arguments")
	}
	return a.withStore(ctx, func(st *store.Store) error {
		res, err := demo.Load(ctx, st, domain.NewRules(), time.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "demo loaded: organizer %s (dashboard password %q unless changed), events %s and %s (%d participants added, %d erased or unconfirmed registrations replaced)\n",
			res.Organizer.Email, demo.Password, res.Past.Slug, res.Upcoming.Slug, res.Registered, res.Cleared)
		fmt.Fprintln(a.stdout, res.Token)
		return nil
	})
}

// describe turns a validation error into one readable line for the terminal.
func describe(err error) error {
	e, ok := domain.AsError(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	msg := ""
	for i, f := range e.Fields {
		if i > 0 {
			msg += " "
		}
		msg += f.Message
	}
	return fmt.Errorf("%s", msg)
}

// erase anonymizes one participant of one event.
func (a *app) erase(ctx context.Context, args []string) error {
	f, err := flags(args, "event", "email")
	if err != nil {
		return err
	}
	if f["event"] == "" || f["email"] == "" {
		return fmt.Errorf("usage: attend erase --event SLUG --email E")
	}
	return a.withStore(ctx, func(st *store.Store) error {
		if err := st.EraseByEmail(ctx, f["event"], f["email"]); err != nil {
			return describe(err)
		}
		fmt.Fprintf(a.stdout, "erased %s from %s\n", f["email"], f["event"])
		return nil
	})
}
