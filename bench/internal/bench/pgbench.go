package bench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PgbenchResult is what pgbench reported.
type PgbenchResult struct {
	TPS          float64
	LatencyMS    float64 // average
	Failed       int
	Transactions int // processed
	Command      string
	// CPU is the processor time spent during the run, where measured.
	CPU cpuUse
}

var (
	tpsRE     = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	latencyRE = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
	failedRE  = regexp.MustCompile(`number of failed transactions: ([0-9]+)`)
	doneRE    = regexp.MustCompile(`number of transactions actually processed: ([0-9]+)`)
)

// pgbench runs a custom script from bench/pgbench with the given clients
// for d, in extended-protocol mode (each statement parsed and bound per
// execution, as lib/pq does, but in one round trip).
func (e *Env) pgbench(ctx context.Context, dsn, script string, clients int, d time.Duration, vars map[string]string) (PgbenchResult, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return PgbenchResult{}, err
	}
	path := filepath.Join(e.Root, "bench", "pgbench", script)
	if _, err := os.Stat(path); err != nil {
		return PgbenchResult{}, err
	}
	args := []string{"-n", "-M", "extended", "-f", path,
		"-c", strconv.Itoa(clients), "-j", strconv.Itoa(min(clients, 2)),
		"-T", strconv.Itoa(int(d.Seconds())),
		"-h", u.Hostname(), "-p", portOf(u), "-U", u.User.Username()}
	for k, v := range vars {
		args = append(args, "-D", k+"="+v)
	}
	args = append(args, strings.TrimPrefix(u.Path, "/"))
	env := append(os.Environ(), "PGSSLMODE=disable")
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
	}
	out, err := run(ctx, env, nil, "pgbench", args...)
	// The report shows the script relative to the repository, not where
	// this checkout happens to live.
	shown := strings.Replace(strings.Join(args, " "), path, filepath.Join("bench", "pgbench", script), 1)
	res := PgbenchResult{Command: "pgbench " + shown}
	if err != nil {
		return res, err
	}
	m := tpsRE.FindStringSubmatch(out)
	if m == nil {
		return res, fmt.Errorf("bench: no tps in pgbench output:\n%s", out)
	}
	res.TPS, _ = strconv.ParseFloat(m[1], 64) // the pattern admits only numbers
	if m := latencyRE.FindStringSubmatch(out); m != nil {
		res.LatencyMS, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := failedRE.FindStringSubmatch(out); m != nil {
		res.Failed, _ = strconv.Atoi(m[1])
	}
	if m := doneRE.FindStringSubmatch(out); m != nil {
		res.Transactions, _ = strconv.Atoi(m[1])
	}
	return res, nil
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	return "5432"
}
