package bench

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
)

// documentsBenchmarks are package documents' benchmarks
// (documents/papers_bench_test.go): the papers of a 2,000-person workshop,
// and the baseline, fpdf writing the same people as one plain line each.
const documentsBenchmarks = `^Benchmark(SignInSheet2000|Badges2000|Certificates200|PlainLines2000)$`

// Documents is part 7: the printed papers (sign-in sheet, badges,
// certificates) drawn by `go test -bench` in package documents, with the
// time and the heap they need against the plain-lines baseline measured in
// the same run.
func Documents(ctx context.Context, e *Env) *Result {
	r := &Result{Part: "7 documents", Title: "printed papers of a 2,000-person workshop"}
	args := []string{"test", "-run", "^$", "-bench", documentsBenchmarks, "-benchmem", "-benchtime", "5x", "-count", "1", "./documents"}
	out, err := runIn(ctx, e.Root, "go", args...)
	if err != nil {
		r.Err = err
		return r
	}
	m := parseBenchmarks(out)
	base, ok := m["PlainLines2000"]
	if !ok {
		r.Err = fmt.Errorf("bench: no baseline in the output of go %s", strings.Join(args, " "))
		return r
	}
	baseline := fmt.Sprintf("plain lines %.0f ms, %.1f MB", base["ns/op"]/1e6, base["peak-heap-MB"])
	for _, b := range []struct {
		name, metric  string
		timeX, heapX  float64 // targets: at most this many times the baseline
		perDocumentMS bool
	}{
		{"SignInSheet2000", "sign-in sheet, 2,000 people", 10, 3, false},
		{"Badges2000", "badges, 2,000 people", 25, 8, false},
		{"Certificates200", "certificates, 200 in one ZIP", 0, 0, true},
	} {
		got, ok := m[b.name]
		if !ok {
			r.add(b.metric, "missing from the output", "", "", "", Miss)
			continue
		}
		value := fmt.Sprintf("%.0f ms, %.0f pages, %.0f kB; peak heap %.1f MB", got["ns/op"]/1e6, got["pages"],
			got["pdf-kB"], got["peak-heap-MB"])
		if b.perDocumentMS {
			value += fmt.Sprintf(" (%.1f ms a certificate)", got["ns/op"]/1e6/max(got["pages"], 1))
			r.add(b.metric, value, baseline, ratio(got["ns/op"], base["ns/op"]), "", Info)
			continue
		}
		r.add(b.metric+": time", value, baseline, ratio(got["ns/op"], base["ns/op"]),
			fmt.Sprintf("≤ %.0f× plain lines", b.timeX), check(got["ns/op"] <= b.timeX*base["ns/op"]))
		r.add(b.metric+": peak heap", fmt.Sprintf("%.1f MB", got["peak-heap-MB"]), baseline,
			ratio(got["peak-heap-MB"], base["peak-heap-MB"]), fmt.Sprintf("≤ %.0f× plain lines", b.heapX),
			check(got["peak-heap-MB"] <= b.heapX*base["peak-heap-MB"]))
	}
	r.note("`go %s` in the repository; the median is not taken, each figure is the mean of 5 runs (the heap of the last).", strings.Join(args, " "))
	r.note("People are made as the document asks for them, as rows read from the database are; half have Cyrillic names, every organization wraps to two lines. Peak heap: Go's HeapAlloc sampled every 100 people and after the PDF is written, minus its value before (garbage not yet collected included).")
	r.note("Baseline: fpdf, with the same embedded typeface, writing each person as one line of plain text on A4 pages, with nothing else; the sheet adds the layout (wrapping, rows kept whole, headings on every page), the badges vector QR codes, which fpdf keeps uncompressed until the end.")
	r.note("Bounded by: fpdf holds the whole document in memory until it writes it, so a sheet's memory grows with its pages, not with the people held (none are kept once drawn); each certificate is a PDF of its own, and fpdf parses the typeface (about 1.4 MB for its two faces) and serializes its width table for every one, which is most of a certificate's time.")
	return r
}

// parseBenchmarks reads `go test -bench` output: benchmark name (without
// the GOMAXPROCS suffix) → unit → value.
func parseBenchmarks(out string) map[string]map[string]float64 {
	res := map[string]map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		metrics := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
		res[name] = metrics
	}
	return res
}
