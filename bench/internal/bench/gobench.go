package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// goBenchPackages hold the hot functions' micro-benchmarks: validation of a
// registration, rendering of each email kind, and row encoding of exports.
var goBenchPackages = []string{"domain", "notify", "export"}

// GoBench is part 6: `go test -bench -benchmem` of the hot functions.
func GoBench(ctx context.Context, e *Env, benchtime string) *Result {
	r := &Result{Part: "6 go", Title: "Go micro-benchmarks"}
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", benchtime, "-count", "1"}
	var pkgs []string
	for _, p := range goBenchPackages {
		if _, err := os.Stat(filepath.Join(e.Root, p)); err == nil {
			pkgs = append(pkgs, "./"+p)
		} else {
			r.note("package %s: not in this build, not benchmarked", p)
		}
	}
	args = append(args, pkgs...)
	out, err := runIn(ctx, e.Root, "go", args...)
	if err != nil {
		r.Err = err
		return r
	}
	pkg := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/attend/attend/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		var metrics []string
		for i := 2; i+1 < len(f); i += 2 {
			metrics = append(metrics, f[i]+" "+f[i+1])
		}
		r.add(pkg+" "+name, strings.Join(metrics, ", "), "", "", "", Info)
	}
	r.note("`go %s` in the repository (the benchmarks are in *_bench_test.go files; go test runs none of them without -bench).", strings.Join(args, " "))
	r.note("Rendering covers subject, text and HTML parts; tickets (confirmed, promoted, reminder) also encode the QR PNG and the .ics file. CSV and XLSX rows are written in batches of 1,000 as the export does; ns/row is per registration and the B/op and allocs/op are per batch.")
	return r
}

// runIn runs a command in dir and returns its standard output.
func runIn(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := commandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %w\n%s%s", name, strings.Join(args, " "), err,
			truncate(stdout.String(), 2000), truncate(stderr.String(), 2000))
	}
	return stdout.String(), nil
}
