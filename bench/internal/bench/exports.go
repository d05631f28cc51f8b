package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// copyColumns is the COPY baseline's SELECT: the export's columns (see
// export/columns.go) straight from SQL, times in the event's zone, one
// column per day with that day's check-in. The country's English name is
// not in the database, so its code stands in for it.
const copyColumns = `SELECT r.id, r.status, r.first_name, r.last_name, r.email, r.phone, r.country, r.country,
	r.organization, r.position, r.role, r.language, r.created_at AT TIME ZONE e.timezone,
	r.confirmed_at AT TIME ZONE e.timezone, r.checkin_code,
	c1.checked_in_at AT TIME ZONE e.timezone, c2.checked_in_at AT TIME ZONE e.timezone
	FROM registrations r JOIN events e ON e.id = r.event_id
	LEFT JOIN checkins c1 ON c1.registration_id = r.id AND c1.day = e.starts_on
	LEFT JOIN checkins c2 ON c2.registration_id = r.id AND c2.day = e.ends_on
	WHERE r.event_id = %d ORDER BY r.created_at, r.id`

// download is one timed export.
type download struct {
	took   time.Duration
	bytes  int64
	lines  int
	growth int64 // kB of peak RSS over RSS at the start (server), 0 for psql
}

// Exports is part 4: CSV and XLSX exports of a large event through the
// HTTP endpoint, against psql's \copy of the same columns.
func Exports(ctx context.Context, e *Env, o DataOptions) *Result {
	r := &Result{Part: "4 export", Title: "attendee list exports"}
	const slug = "bench-export"
	a, srv, err := e.serveEvents(ctx, "export", EventSpec{Slug: slug, Days: 2})
	if err != nil {
		r.Err = err
		return r
	}
	defer srv.Stop(10 * time.Second)
	exportPath := "/api/v1/events/" + slug + "/registrations/export?format="
	if _, err := srv.fetch(ctx, exportPath+"csv", 0); err != nil {
		r.Err = fmt.Errorf("%w: GET %s: %v", errNotAvailable, exportPath+"csv", err)
		return r
	}
	eventID, summary, err := seedLargeEvent(ctx, e, a.DSN, "export", slug, o.Registrations)
	if err != nil {
		r.Err = err
		return r
	}
	query := fmt.Sprintf(copyColumns, eventID)

	// One unmeasured pass each warms the caches for both sides.
	if _, err := e.psqlCopy(ctx, a.DSN, query); err != nil {
		r.Err = err
		return r
	}
	if _, err := srv.fetch(ctx, exportPath+"csv", 0); err != nil {
		r.Err = err
		return r
	}
	var copies, csvs []download
	for i := 0; i < 3; i++ {
		c, err := e.psqlCopy(ctx, a.DSN, query)
		if err != nil {
			r.Err = err
			return r
		}
		copies = append(copies, c)
		d, err := srv.fetch(ctx, exportPath+"csv", '\n')
		if err != nil {
			r.Err = err
			return r
		}
		csvs = append(csvs, d)
		e.Log.Printf("export: COPY %s, CSV %s (+%d kB RSS)", c.took.Round(time.Millisecond), d.took.Round(time.Millisecond), d.growth)
	}
	xlsx, err := srv.fetch(ctx, exportPath+"xlsx", 0)
	if err != nil {
		r.Err = err
		return r
	}
	e.Log.Printf("export: XLSX %s (+%d kB RSS)", xlsx.took.Round(time.Millisecond), xlsx.growth)

	cp, cs := median(copies), median(csvs)
	maxGrowth := func(ds []download) int64 {
		m := int64(0)
		for _, d := range ds {
			m = max(m, d.growth)
		}
		return m
	}
	r.add("CSV export (median of 3)", fmt.Sprintf("%.2f s, %.1f MB", cs.took.Seconds(), mb(cs.bytes)),
		fmt.Sprintf("\\copy %.2f s, %.1f MB", cp.took.Seconds(), mb(cp.bytes)), ratio(cs.took.Seconds(), cp.took.Seconds()),
		"≤ 1.5× COPY", check(cs.took.Seconds() <= 1.5*cp.took.Seconds()))
	r.add("XLSX export", fmt.Sprintf("%.2f s, %.1f MB", xlsx.took.Seconds(), mb(xlsx.bytes)),
		fmt.Sprintf("\\copy %.2f s", cp.took.Seconds()), ratio(xlsx.took.Seconds(), cp.took.Seconds()),
		"≤ 4× COPY", check(xlsx.took.Seconds() <= 4*cp.took.Seconds()))
	r.add("server peak RSS growth, CSV (max of 3)", fmt.Sprintf("%.1f MB", float64(maxGrowth(csvs))/1024), "", "", "≤ 50 MB",
		check(maxGrowth(csvs) <= 50*1024))
	r.add("server peak RSS growth, XLSX", fmt.Sprintf("%.1f MB", float64(xlsx.growth)/1024), "", "", "≤ 50 MB",
		check(xlsx.growth <= 50*1024))
	r.note("Data: %s, generated with generate_series (bench/internal/bench/data.go).", summary)
	r.note("Exports: GET %s{csv,xlsx} with an organizer token against `attend serve`, the body read to the end; the CSV has %d lines (header included). One unmeasured CSV export and \\copy first warm the caches.", exportPath, cs.lines)
	r.note("Baseline: `psql -X -c \"\\copy (SELECT …same columns…) TO STDOUT CSV HEADER\"` with its output read to the end; the columns are the export's, the country's name replaced by its code. Median of 3 runs interleaved with the CSV exports.")
	r.note("RSS growth: the server's VmHWM after the export minus its VmRSS before, with the peak reset (/proc/PID/clear_refs) before each export.")
	r.note("Bounded by: the export is one query streamed from the server (the check-ins joined per event day, as in the COPY baseline), and every row is decoded by lib/pq and database/sql (a string or boxed value per column) and converted in Go (time zones, country names, neutralizing) while the next rows arrive; on a busy machine the reading and writing no longer overlap and the ratio follows the CPU per row. The XLSX export encodes the attendee rows' XML itself and deflates it as it goes into a temporary file, in the writing goroutine while the next rows are read (excelize writes the rest of the workbook, and the rows are spliced into it as it is zipped to the client); deflating is most of what a workbook row costs over a CSV one.")
	return r
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func median(ds []download) download {
	s := slices.Clone(ds)
	slices.SortFunc(s, func(a, b download) int { return int(a.took - b.took) })
	return s[len(s)/2]
}

// fetch GETs path as the organizer, reads the body to the end and measures
// the time and the server's peak RSS growth. countByte, when not 0, is
// counted in the body (lines).
func (s *Server) fetch(ctx context.Context, path string, countByte byte) (download, error) {
	var d download
	if err := s.ResetPeak(); err != nil {
		return d, fmt.Errorf("bench: reset peak RSS: %w", err)
	}
	base, err := s.Status("VmRSS")
	if err != nil {
		return d, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
	if err != nil {
		return d, err
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return d, err
	}
	defer resp.Body.Close()
	cw := &countingWriter{b: countByte}
	_, err = io.Copy(cw, resp.Body)
	d.took = time.Since(start)
	if err != nil {
		return d, fmt.Errorf("bench: GET %s: body: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		return d, fmt.Errorf("GET %s: %d", path, resp.StatusCode)
	}
	peak, err := s.Status("VmHWM")
	if err != nil {
		return d, err
	}
	d.bytes, d.lines, d.growth = cw.n, cw.count, peak-base
	return d, nil
}

type countingWriter struct {
	n     int64
	b     byte
	count int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.b != 0 {
		c.count += bytes.Count(p, []byte{c.b})
	}
	return len(p), nil
}

// psqlCopy runs psql's \copy of query to standard output, read to the end.
func (e *Env) psqlCopy(ctx context.Context, dsn, query string) (download, error) {
	var d download
	u, err := url.Parse(dsn)
	if err != nil {
		return d, err
	}
	cmd := exec.CommandContext(ctx, "psql", "-X", "-q", "-h", u.Hostname(), "-p", portOf(u), "-U", u.User.Username(),
		"-d", strings.TrimPrefix(u.Path, "/"), "-c", `\copy (`+strings.Join(strings.Fields(query), " ")+`) TO STDOUT CSV HEADER`)
	cmd.Env = append(os.Environ(), "PGSSLMODE=disable")
	cw := &countingWriter{b: '\n'}
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = cw, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return d, fmt.Errorf("bench: psql \\copy: %w: %s", err, stderr.String())
	}
	d.took = time.Since(start)
	d.bytes, d.lines = cw.n, cw.count
	return d, nil
}
