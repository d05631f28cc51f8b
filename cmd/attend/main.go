// Command attend is the one binary: the HTTP server, the migrations, the
// mail worker and the organizer's administrative commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "attend:", err)
		os.Exit(1)
	}
}

const usage = `attend — event registration and attendance

Usage:
  attend serve                                   run the web server (applies migrations first)
  attend migrate                                 apply pending database migrations
  attend organizer add --email E --name N [--password-stdin]
                                                 create an organizer account (password for the dashboard from stdin)
  attend organizer passwd --email E              set an organizer's dashboard password (from stdin)
  attend token create --email E                  print a new API token for an organizer
  attend worker                                  run only the mail worker, webhook sender and periodic jobs
  attend erase --event SLUG --email E            anonymize a participant (right to be forgotten)
  attend demo                                    load the demo events (idempotent)

Configuration comes from the environment; see the README.`

// run is main without the process: tests call it with their own arguments,
// environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("no command given")
	}
	app := &app{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return app.serve(ctx, rest)
	case "migrate":
		return app.migrate(ctx, rest)
	case "organizer":
		return app.organizer(ctx, rest)
	case "token":
		return app.token(ctx, rest)
	case "demo":
		return app.demo(ctx, rest)
	case "worker":
		return app.worker(ctx, rest)
	case "erase":
		return app.erase(ctx, rest)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintln(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
