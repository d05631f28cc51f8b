//go:build linux

package chaos

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/internal/pgcluster"
)

// long reports whether the long version runs (CHAOS_LONG=1, `make chaos`).
var long = os.Getenv("CHAOS_LONG") == "1"

// size picks the short or the long figure.
func size[T any](short, longer T) T {
	if long {
		return longer
	}
	return short
}

// childRace reports whether the attend binary is built with the race
// detector: by default in the long run and not in the short one, which
// keeps the child fast so that timings stay meaningful on small machines;
// CHAOS_CHILD_RACE=1 or 0 decides otherwise. A race report on a child's
// standard error fails the test.
func childRace() bool {
	if v := os.Getenv("CHAOS_CHILD_RACE"); v != "" {
		return v == "1"
	}
	return long
}

// tempPrefix names the temporary directories of this suite (the binary, the
// private PostgreSQL cluster); pgcluster marks each with owner.pid so that a
// later run can remove those of a test process that died without cleaning up.
const tempPrefix = "attend-chaos-"

var (
	builtBinary = sync.OnceValues(func() (string, error) { return buildBinary(childRace()) })
	builtPlain  = sync.OnceValues(func() (string, error) { return buildBinary(false) })
)

// binary returns the path of the attend binary, built once per test process.
func binary(t *testing.T) string {
	t.Helper()
	path, err := builtBinary()
	if err != nil {
		t.Fatalf("build attend: %v", err)
	}
	return path
}

// plainBinary returns an attend binary built without the race detector, for
// measuring memory: the race runtime shadows every allocation.
func plainBinary(t *testing.T) string {
	t.Helper()
	if !childRace() {
		return binary(t)
	}
	path, err := builtPlain()
	if err != nil {
		t.Fatalf("build attend: %v", err)
	}
	return path
}

// buildBinary runs `go build` for ./cmd/attend into a fresh temporary
// directory. The directory outlives the test process (pgtest.Main ends it
// with os.Exit), so the next run's pgcluster.SweepOrphans removes it.
func buildBinary(race bool) (string, error) {
	if err := pgcluster.SweepOrphans(tempPrefix); err != nil {
		fmt.Fprintf(os.Stderr, "chaos: %v\n", err)
	}
	dir, err := pgcluster.MkdirOwned(tempPrefix + "bin-")
	if err != nil {
		return "", err
	}
	gobin := "go"
	if root := os.Getenv("GOROOT"); root != "" {
		if p := filepath.Join(root, "bin", "go"); isExecutable(p) {
			gobin = p
		}
	}
	out := filepath.Join(dir, "attend")
	args := []string{"build", "-o", out}
	if race {
		args = append(args, "-race")
	}
	args = append(args, "github.com/attend/attend/cmd/attend")
	start := time.Now()
	cmd := exec.Command(gobin, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, b)
	}
	fmt.Fprintf(os.Stderr, "chaos: built %s (race=%v) in %s\n", out, race, time.Since(start).Round(time.Millisecond))
	return out, nil
}

// freePort returns a loopback TCP port that was free a moment ago and that
// outgoing connections cannot take, for a server that must keep its port
// across restarts (see pgcluster.StablePort).
func freePort(t *testing.T) int {
	t.Helper()
	port, err := pgcluster.StablePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// parallel runs the test in parallel with the others in the short run, to
// keep `make test` quick; the long run goes one test at a time, so that each
// has the machine to itself and its timings mean something.
func parallel(t *testing.T) {
	if !long {
		t.Parallel()
	}
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// env is a child's environment. Children get only what is set here, so the
// developer's own DATABASE_URL or PG* variables cannot leak into a test.
type env map[string]string

// with returns a copy with the given NAME, value pairs set.
func (e env) with(kv ...string) env {
	out := make(env, len(e)+len(kv)/2)
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func (e env) list() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// secretKey is shared by every process of a test, as it must be in
// production: links sealed by one instance are opened by another.
const secretKey = "chaos-suite-secret-key-0123456789abcdef"

// baseEnv is the configuration every child starts from: fast mail retries
// and leases so that recovery happens within a test's patience, and no
// registration rate limit (the load comes from one address).
func baseEnv(databaseURL, smtpURL string) env {
	return env{
		"DATABASE_URL":        databaseURL,
		"SMTP_URL":            smtpURL,
		"SECRET_KEY":          secretKey,
		"HTTP_ADDR":           "127.0.0.1:0",
		"BASE_URL":            "http://attend.test",
		"MAIL_FROM":           "attend <noreply@attend.test>",
		"LOG_LEVEL":           "info",
		"REGISTER_RATE_LIMIT": "1000000",
		"DB_MAX_OPEN_CONNS":   "10",
		"SMTP_TIMEOUT":        "2s",
		"MAIL_POLL_INTERVAL":  "200ms",
		"MAIL_LEASE":          "2s",
		"MAIL_RETRY_BASE":     "200ms",
		"MAIL_RETRY_MAX":      "1s",
		"PATH":                os.Getenv("PATH"),
	}
}

// waitFor polls cond every 50ms until it reports done or timeout passes;
// then it fails the test with cond's last description of the state.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		done, state := cond()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s: %s", what, timeout, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitWhileProgressing polls cond every 50ms until it reports done, for
// work whose speed depends on how busy the machine is. It gives up only when
// cond's description of the state, which should say what is still missing,
// has not changed for stall (the work has stopped moving), or after bound in
// all; then it fails the test with that description.
func waitWhileProgressing(t *testing.T, stall, bound time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	start := time.Now()
	var last string
	changed := start
	for {
		done, state := cond()
		if done {
			return
		}
		now := time.Now()
		if state != last {
			last, changed = state, now
		}
		switch {
		case now.Sub(changed) > stall:
			t.Fatalf("%s: no progress for %s (after %s): %s", what, stall, now.Sub(start).Round(time.Millisecond), state)
		case now.Sub(start) > bound:
			t.Fatalf("%s: not reached within %s: %s", what, bound, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// recordFigures logs one line of a case's headline figures with a fixed
// prefix, so that `make chaos` output can be summarized with grep.
func recordFigures(t *testing.T, name, figures string) {
	t.Helper()
	t.Logf("FIGURES %s: %s", name, figures)
}
