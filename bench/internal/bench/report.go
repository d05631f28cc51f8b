package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Verdicts of a row.
const (
	Pass         = "pass"
	Miss         = "MISS"
	Info         = "—"
	NotAvailable = "not available"
)

// Row is one line of the summary table.
type Row struct {
	Part     string
	Metric   string
	Value    string
	Baseline string
	Ratio    string
	Target   string
	Verdict  string
}

// Result is what one part measured: its rows, the notes that say what bounds
// them, and longer detail (query plans) for the report.
type Result struct {
	Part    string
	Title   string
	Rows    []Row
	Notes   []string
	Detail  string
	Elapsed time.Duration
	Err     error
}

func (r *Result) add(metric, value, baseline, ratio, target, verdict string) {
	r.Rows = append(r.Rows, Row{Part: r.Part, Metric: metric, Value: value, Baseline: baseline,
		Ratio: ratio, Target: target, Verdict: verdict})
}

func (r *Result) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

// check turns a comparison into a verdict.
func check(ok bool) string {
	if ok {
		return Pass
	}
	return Miss
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

// WriteText prints the summary table for a terminal.
func WriteText(w io.Writer, results []*Result) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "part\tmetric\tvalue\tbaseline\tratio\ttarget\tverdict")
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(tw, "%s\t%s\t\t\t\t\t%s\n", r.Part, oneLine(r.Err.Error()), errVerdict(r.Err))
		}
		for _, row := range r.Rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", row.Part, row.Metric, row.Value, row.Baseline,
				row.Ratio, row.Target, row.Verdict)
		}
	}
	tw.Flush()
}

// WriteMarkdown writes the summary table and each part's notes and detail.
func WriteMarkdown(w io.Writer, results []*Result) {
	fmt.Fprintln(w, "| part | metric | value | baseline | ratio | target | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(w, "| %s | %s | | | | | %s |\n", r.Part, mdEscape(oneLine(r.Err.Error())), errVerdict(r.Err))
		}
		for _, row := range r.Rows {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s |\n", row.Part, mdEscape(row.Metric),
				mdEscape(row.Value), mdEscape(row.Baseline), row.Ratio, mdEscape(row.Target), row.Verdict)
		}
	}
	for _, r := range results {
		fmt.Fprintf(w, "\n### %s — %s\n\n", r.Part, r.Title)
		if r.Elapsed > 0 {
			fmt.Fprintf(w, "Took %s.\n\n", r.Elapsed.Round(time.Second))
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
		if r.Detail != "" {
			fmt.Fprintf(w, "\n%s\n", strings.TrimRight(r.Detail, "\n"))
		}
	}
}

func errVerdict(err error) string {
	if isNotAvailable(err) {
		return NotAvailable
	}
	return "ERROR"
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return truncate(s, 300)
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
