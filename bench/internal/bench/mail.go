package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
)

// MailOptions bound part 3.
type MailOptions struct {
	Emails    int           // the backlog the worker drains
	SteadyFor time.Duration // the steady-state phase after it
	// ProfileDir, when set, gets CPU and allocation profiles of an
	// in-process drain of ProfileEmails more emails (see profileWorker).
	ProfileDir    string
	ProfileEmails int
}

// mailKinds is the mix of the backlog: every registration is asked to
// confirm its address, and a confirmed one gets its ticket (with a QR image
// and a calendar file), so half and half.
var mailKinds = []domain.EmailKind{domain.EmailConfirmRequest, domain.EmailConfirmed}

// Mail is part 3: the outbox worker (`attend worker`, the real binary)
// drains a backlog into Postfix's smtp-sink, against smtp-source and a bare
// go-mail loop sending messages of the same sizes to the same sink.
func Mail(ctx context.Context, e *Env, o MailOptions) *Result {
	r := &Result{Part: "3 mail", Title: "email delivery from the outbox"}
	if err := mailTools(); err != nil {
		r.Err = err
		return r
	}
	a, err := e.NewAttend(ctx, "mail")
	if err != nil {
		r.Err = err
		return r
	}
	db, err := sql.Open("postgres", a.DSN)
	if err != nil {
		r.Err = err
		return r
	}
	defer db.Close()
	sink, port, err := e.startSink(ctx)
	if err != nil {
		r.Err = err
		return r
	}
	defer sink.Stop(5 * time.Second)

	eventID, err := mailEvent(ctx, db)
	if err != nil {
		r.Err = err
		return r
	}
	steady := int(o.SteadyFor.Seconds() * 200) // registrations kept for the steady phase, at most
	if err := seedRegistrations(ctx, db, eventID, o.Emails+steady+o.ProfileEmails); err != nil {
		r.Err = err
		return r
	}

	// Samples of each kind, rendered as the worker renders them, give the
	// baselines their message sizes.
	samples, err := sampleMessages(ctx, db, eventID)
	if err != nil {
		r.Err = err
		return r
	}
	counts := splitCounts(o.Emails, len(samples))

	e.Log.Printf("mail: smtp-source baseline, %d messages", o.Emails)
	srcTook, err := e.smtpSource(ctx, port, samples, counts)
	if err != nil {
		r.Err = err
		return r
	}
	e.Log.Printf("mail: bare go-mail baseline, %d messages", o.Emails)
	// CPU per email: the bare loop's is this process's (idle otherwise),
	// the worker's is its process's, start-up included; the sink's is
	// taken around each.
	sink0, self0 := procCPUOrUnmeasured(sink), selfCPU()
	bareTook, err := bareGoMail(ctx, port, samples, counts)
	if err != nil {
		r.Err = err
		return r
	}
	bareCPU, bareSinkCPU := cpuSince(selfCPU(), self0), cpuSince(procCPUOrUnmeasured(sink), sink0)

	// The backlog, queued in one go just before the worker starts.
	if err := queueEmails(ctx, db, eventID, o.Emails, 0); err != nil {
		r.Err = err
		return r
	}
	var t0 time.Time
	if err := db.QueryRowContext(ctx, `SELECT clock_timestamp()`).Scan(&t0); err != nil {
		r.Err = err
		return r
	}
	sink0 = procCPUOrUnmeasured(sink)
	worker, err := e.startWorker(a, port)
	if err != nil {
		r.Err = err
		return r
	}
	defer worker.Stop(30 * time.Second)
	if err := waitSent(ctx, db, o.Emails, worker, 5*time.Minute); err != nil {
		r.Err = fmt.Errorf("%w\n%s", err, e.Tail("worker.log", 10))
		return r
	}
	workerCPU, workerSinkCPU := procCPUOrUnmeasured(worker), cpuSince(procCPUOrUnmeasured(sink), sink0)
	var last time.Time
	var p50, p95 float64
	if err := db.QueryRowContext(ctx, `
		SELECT max(sent_at),
		       percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)),
		       percentile_disc(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at))
		FROM emails WHERE status = 'sent'`).Scan(&last, &p50, &p95); err != nil {
		r.Err = err
		return r
	}
	workerTook := last.Sub(t0)
	workerRate := float64(o.Emails) / workerTook.Seconds()
	bareRate := float64(o.Emails) / bareTook.Seconds()
	srcRate := float64(o.Emails) / srcTook.Seconds()
	e.Log.Printf("mail: worker %.0f/s, bare go-mail %.0f/s, smtp-source %.0f/s", workerRate, bareRate, srcRate)

	// Steady state: emails queued one transaction at a time (INSERT and
	// pg_notify, as a registration does) at half the worker's rate.
	steadyRate := min(workerRate/2, 200)
	n := int(steadyRate * o.SteadyFor.Seconds())
	e.Log.Printf("mail: steady phase, %.0f emails/s for %s", steadyRate, o.SteadyFor)
	if err := queueSteadily(ctx, db, eventID, o.Emails, n, steadyRate); err != nil {
		r.Err = err
		return r
	}
	if err := waitSent(ctx, db, o.Emails+n, worker, 2*time.Minute); err != nil {
		r.Err = err
		return r
	}
	var sp50, sp95 float64
	if err := db.QueryRowContext(ctx, `
		SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at)),
		       percentile_disc(0.95) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at))
		FROM emails WHERE status = 'sent' AND payload ? 'steady'`).Scan(&sp50, &sp95); err != nil {
		r.Err = err
		return r
	}
	hwm, err := worker.Status("VmHWM")
	if err != nil {
		r.Err = err
		return r
	}
	var failed int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM emails WHERE status <> 'sent'`).Scan(&failed); err != nil {
		r.Err = err
		return r
	}

	r.add(fmt.Sprintf("worker drains %d queued emails", o.Emails), fmt.Sprintf("%.0f emails/s (%.1f s)", workerRate, workerTook.Seconds()),
		fmt.Sprintf("bare go-mail %.0f/s (%.1f s)", bareRate, bareTook.Seconds()), ratio(workerRate, bareRate), "≥ 0.80",
		check(workerRate/bareRate >= 0.8))
	r.add("worker vs smtp-source", fmt.Sprintf("%.0f emails/s", workerRate),
		fmt.Sprintf("smtp-source %.0f/s (%.1f s)", srcRate, srcTook.Seconds()), ratio(workerRate, srcRate), "≥ 0.30",
		check(workerRate/srcRate >= 0.3))
	r.add(fmt.Sprintf("enqueue → accepted, steady %.0f/s", steadyRate), fmt.Sprintf("p50 %.2f s, p95 %.2f s", sp50, sp95),
		"", "", "p95 ≤ 5 s", check(sp95 <= 5))
	r.add(fmt.Sprintf("enqueue → accepted, %d backlog", o.Emails), fmt.Sprintf("p50 %.2f s, p95 %.2f s", p50, p95),
		"", "", "(≈ 0.95 × drain time)", Info)
	perEmail := func(d time.Duration) string { return per(d, float64(o.Emails)) }
	r.add("CPU per email, client + sink", perEmail(workerCPU)+" + "+perEmail(workerSinkCPU),
		"bare go-mail "+perEmail(bareCPU)+" + "+perEmail(bareSinkCPU), cpuRatio([][2]float64{{float64(bareCPU), 1}}, [][2]float64{{float64(workerCPU), 1}}),
		"(PostgreSQL not counted)", Info)
	r.add("worker peak RSS (VmHWM)", fmt.Sprintf("%.1f MB", float64(hwm)/1024), "", "", "≤ 100 MB", check(hwm <= 100*1024))
	if failed > 0 {
		r.add("emails not sent", strconv.Itoa(failed), "", "", "0", Miss)
	}
	if o.ProfileDir != "" && o.ProfileEmails > 0 {
		worker.Stop(30 * time.Second)
		took, err := profileWorker(ctx, e, a, db, eventID, o.Emails+steady, o.ProfileEmails, port, o.ProfileDir)
		if err != nil {
			r.Err = fmt.Errorf("profile: %w", err)
			return r
		}
		r.note("Profiled: %d more emails drained in-process in %s (%.0f/s); profiles in %s.", o.ProfileEmails, took.Round(time.Millisecond),
			float64(o.ProfileEmails)/took.Seconds(), o.ProfileDir)
	}

	sizes := make([]string, len(samples))
	for i, s := range samples {
		sizes[i] = fmt.Sprintf("%s %d bytes", s.kind, len(s.raw))
	}
	r.note("Mix: %s, half each (%s); rendered by the worker from real outbox rows (sealed link tokens, registrations, event), in en/ru/uz.", kindList(), strings.Join(sizes, ", "))
	r.note("Worker: the built `attend worker` process with MAIL_BATCH_SIZE=50 (the default: one SMTP connection per batch), started after the backlog was queued; the rate is the backlog over the time from its start to the last sent_at. Latency is sent_at − created_at from the outbox.")
	r.note("Baselines, same sink, same sizes: `smtp-source -d -s 1 -m N -F <message file>` (one connection, one session at a time, one run per kind), and a bare go-mail loop building each message as the worker does and sending it over one connection.")
	r.note("Sink: `smtp-sink -u nobody 127.0.0.1:%d 256` (Postfix; accepts and discards).", port)
	r.note("CPU per email: user and system time from /proc of the worker process over the drain (its start-up included: templates parsed and tried once), of this process over the bare loop (which does nothing else meanwhile), and of the sink over each; PostgreSQL's is not counted. The ratio is bare over worker, as for the rates: a CPU-bound worker's rate ratio follows it.")
	r.note("Bounded by: CPU. The worker keeps MAIL_CONNECTIONS (default 4) batches in flight, each over its own connection, so the sink's round trips overlap; per email it then spends CPU the bare loop does not: rendering three templates (and, for tickets, a QR PNG, most of whose time is the QR library choosing a mask, and an .ics file), opening the sealed token, and recording the delivery (one UPDATE with asynchronous commit, so a crash resends at most the emails in flight, one per connection), plus the claim and the batch's registrations and events (three queries per batch). It spends less on the wire: four round trips per email (MAIL, RCPT, DATA, end of data; no RSET, which the bare loop's go-mail client sends after each message) and each message in one write. The bare loop renders nothing and waits for one connection's round trips, leaving a core idle; the worker, the sink and PostgreSQL fill both, so load from other processes slows the worker more than the bare loop.")
	return r
}

// procCPUOrUnmeasured is p's processor time so far, or unmeasured when it
// cannot be read.
func procCPUOrUnmeasured(p *Proc) time.Duration {
	d, err := p.CPU()
	if err != nil {
		return unmeasured
	}
	return d
}

func kindList() string {
	s := make([]string, len(mailKinds))
	for i, k := range mailKinds {
		s[i] = string(k)
	}
	return strings.Join(s, " and ")
}

func mailTools() error {
	for _, t := range []string{"smtp-sink", "smtp-source"} {
		if _, err := exec.LookPath(t); err != nil {
			if _, err := os.Stat("/usr/sbin/" + t); err != nil {
				return fmt.Errorf("%w: %s (Debian package postfix; scripts/bench.sh installs it)", errNotAvailable, t)
			}
		}
	}
	return nil
}

func tool(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return "/usr/sbin/" + name
}

// startSink runs smtp-sink on a free loopback port.
func (e *Env) startSink(ctx context.Context) (*Proc, int, error) {
	port, err := freePort()
	if err != nil {
		return nil, 0, err
	}
	f, err := e.LogFile("smtp-sink.log")
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(tool("smtp-sink"), "-u", "nobody", "127.0.0.1:"+strconv.Itoa(port), "256")
	cmd.Stdout, cmd.Stderr = f, f
	p, err := e.Start("smtp-sink", cmd)
	if err != nil {
		return nil, 0, err
	}
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), time.Second)
		if err == nil {
			c.Close()
			return p, port, nil
		}
		if p.Exited() {
			break
		}
		sleepCtx(ctx, 50*time.Millisecond)
	}
	p.Stop(time.Second)
	return nil, 0, fmt.Errorf("bench: smtp-sink did not listen: %s", e.Tail("smtp-sink.log", 5))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (e *Env) startWorker(a *Attend, port int) (*Proc, error) {
	f, err := e.LogFile("worker.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(e.AttendBin, "worker")
	cmd.Env = a.environ(map[string]string{
		"SMTP_URL":        fmt.Sprintf("smtp://127.0.0.1:%d?starttls=off", port),
		"MAIL_BATCH_SIZE": "50",
	})
	cmd.Stdout, cmd.Stderr = f, f
	return e.Start("attend worker", cmd)
}

// waitSent polls the outbox until n emails are sent.
func waitSent(ctx context.Context, db *sql.DB, n int, worker *Proc, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var sent, failed int
		if err := db.QueryRowContext(ctx, `
			SELECT count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed') FROM emails`).Scan(&sent, &failed); err != nil {
			return err
		}
		switch {
		case sent+failed >= n:
			return nil
		case worker.Exited():
			return fmt.Errorf("bench: the worker exited with %d of %d emails sent", sent, n)
		case time.Now().After(deadline):
			return fmt.Errorf("bench: only %d of %d emails sent within %s", sent, n, limit)
		case ctx.Err() != nil:
			return ctx.Err()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// smtpSource sends counts[i] copies of each sample over one connection
// (-d) and returns the total time.
func (e *Env) smtpSource(ctx context.Context, port int, samples []sample, counts []int) (time.Duration, error) {
	var took time.Duration
	for i, s := range samples {
		path := filepath.Join(e.Work, string(s.kind)+".eml")
		// smtp-source appends CRLF to each line of the file itself.
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(s.raw), "\r\n", "\n")), 0o644); err != nil {
			return 0, err
		}
		start := time.Now()
		if _, err := run(ctx, nil, nil, tool("smtp-source"), "-d", "-s", "1", "-m", strconv.Itoa(counts[i]),
			"-F", path, "-f", "noreply@bench.invalid", "-t", "participant@example.org",
			"127.0.0.1:"+strconv.Itoa(port)); err != nil {
			return 0, err
		}
		took += time.Since(start)
	}
	return took, nil
}
