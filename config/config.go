// Package config reads attend's settings from the environment once, at
// start-up, and refuses to start on a missing or malformed one.
package config

import (
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/textproto"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// Config is every setting attend reads. It is built by Load and passed down;
// nothing reads the environment after start-up.
type Config struct {
	DatabaseURL string
	HTTPAddr    string
	// MetricsAddr is where /metrics is served, on a listener of its own;
	// empty turns metrics off.
	MetricsAddr string
	BaseURL     *url.URL
	SecretKey   []byte
	LogLevel    string

	DBMaxOpenConns     int
	DBStatementTimeout time.Duration

	MaxBodyBytes      int64
	RequestTimeout    time.Duration
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	ShutdownTimeout   time.Duration

	// Registration abuse limits.
	RegisterRateLimit  int           // registrations per IP per window
	RegisterRateWindow time.Duration // the window
	LoginRateLimit     int           // login attempts per IP and per account per window
	LoginRateWindow    time.Duration
	TrustedProxies     []string // proxies whose CLIENT_IP_HEADER is believed

	// Sign-in hardening (issue 13): limits per client address, a delay per
	// account instead of a lock, a cap on concurrent Argon2id work, and how
	// the client address is read behind proxies.
	LoginIPRateLimit        int           // failed sign-ins per client address per LoginRateWindow
	LoginDelay              time.Duration // delay after an account's first recent failure; 0 is off
	LoginDelayMax           time.Duration // longest delay a sign-in waits for its account
	PasswordHashConcurrency int           // Argon2id checks running at once
	PasswordHashWait        time.Duration // how long a sign-in waits for a hashing slot
	ClientIPHeader          string        // the one header a trusted proxy puts the client address in
	ClientIPv6Prefix        int           // IPv6 clients are counted by this prefix length

	// Mail.
	SMTPURL         string
	MailFrom        string
	MailReplyTo     string
	SMTPTimeout     time.Duration
	MailBatchSize   int
	MailConnections int
	EventCacheTTL   time.Duration
	// RegisterBatchSize and RegisterBatches: participants' registrations
	// that arrive while others are written go in one statement (at most
	// RegisterBatchSize), with at most RegisterBatches such statements at
	// once.
	RegisterBatchSize int
	RegisterBatches   int
	ExportGCPercent   int
	// CertificatesTimeout is how long the certificates ZIP may take to
	// write: it is drawn as it is sent, one PDF a person, and outlasts
	// HTTP_WRITE_TIMEOUT for a large event.
	CertificatesTimeout time.Duration
	MailPoll            time.Duration
	// MailWakeGap is the least time between two NOTIFYs that wake other
	// processes' mail workers after email was queued.
	MailWakeGap     time.Duration
	MailLease       time.Duration
	MailRetryBase   time.Duration
	MailRetryMax    time.Duration
	MailMaxAttempts int
	LinkGrace       time.Duration
	InvitationTTL   time.Duration
	// InviteeImportMaxRows bounds the rows of one import of invitees (a
	// file or the API's list).
	InviteeImportMaxRows int
	// MessagesPerAddressHour bounds the organizers' messages of one event
	// an address gets per hour: higher than the limit of the public form's
	// emails, which strangers can trigger.
	MessagesPerAddressHour int
	// InviteeImportMaxBytes bounds the body of an import of invitees (an
	// XLSX file carries styles and themes: far more than MaxBodyBytes),
	// and the uncompressed size of an XLSX file's parts.
	InviteeImportMaxBytes int64
	// InviteeResendInterval spaces out the emails of one invitation: an
	// organizer may email it again this long after the last one.
	InviteeResendInterval time.Duration
	// MessageScheduleDaysAfterEnd is how many days after its event ends a
	// message may still be scheduled for.
	MessageScheduleDaysAfterEnd int
	WorkerEnabled               bool
	PeriodicEvery               time.Duration

	// Webhooks (issue 18): the sender runs wherever the mail worker does
	// and retries on the mail outbox's schedule (MAIL_RETRY_*).
	WebhookTimeout      time.Duration
	WebhookPoll         time.Duration
	WebhookConcurrency  int
	WebhookDisableAfter int
	WebhookAllowPrivate bool
	WebhookMaxEndpoints int
	WebhookRetention    time.Duration

	// Delegations are the countries and organizations participants may
	// represent: the built-in organizations and those of DELEGATIONS_FILE.
	Delegations *domain.Delegations
}

// Setting documents one environment variable; the README's table lists
// every one of them (a test keeps the two in step).
type Setting struct {
	Name, Default, Description string
}

// Settings lists every variable Load reads.
func Settings() []Setting {
	return []Setting{
		{"DATABASE_URL", "(required)", "PostgreSQL connection URL, e.g. postgres://user@host:5432/attend?sslmode=disable."},
		{"SECRET_KEY", "(required by serve and worker)", "At least 32 characters of secret; seals links queued for email."},
		{"HTTP_ADDR", ":8080", "Address the HTTP server listens on."},
		{"METRICS_ADDR", "(none: off)", "Address of a separate listener that serves only /metrics in the Prometheus text format, e.g. 127.0.0.1:9090; keep it private. attend serve and attend worker on one machine each need their own. See docs/OPERATIONS.md."},
		{"BASE_URL", "http://localhost:8080", "Public URL of the site, used in emailed links; https enables Secure cookies."},
		{"LOG_LEVEL", "info", "debug, info, warn or error. Logs are JSON on standard error."},
		{"DB_MAX_OPEN_CONNS", "4 × CPU cores", "Largest number of open database connections per process; serve and worker open them at start."},
		{"EVENT_CACHE_TTL", "1s", "How long a registration may use an event read from memory (registration window, dates) instead of the database; 0 turns it off. Seats are always counted in the database."},
		{"REGISTER_BATCH_SIZE", strconv.Itoa(store.DefaultRegisterBatchSize), "Most participants' registrations written in one statement and commit. Registrations that arrive while REGISTER_BATCHES statements are being written wait for one to end and go together in the next; one that finds a statement free is written at once, alone. 1 writes each alone."},
		{"REGISTER_BATCHES", strconv.Itoa(store.DefaultRegisterBatches) + ", at most half of DB_MAX_OPEN_CONNS", "Statements of registrations written at once per process (see REGISTER_BATCH_SIZE); at most DB_MAX_OPEN_CONNS. More lowers the wait for a free one at moderate load; fewer makes larger batches, which cost the database less per registration."},
		{"EXPORT_GC_PERCENT", "50", "Go's garbage collection target (GOGC) while an XLSX export is built and sent, to bound its memory; 0 leaves the collector alone, and a lower GOGC (or GOGC=off) is kept."},
		{"DB_STATEMENT_TIMEOUT", "5s", "Longest a single SQL statement may run; past it the request answers 503. Exports are bounded by HTTP_WRITE_TIMEOUT instead."},
		{"MAX_BODY_BYTES", "65536", "Largest request body accepted; larger bodies get 413."},
		{"REQUEST_TIMEOUT", "10s", "Deadline for handling one request."},
		{"HTTP_READ_HEADER_TIMEOUT", "5s", "Time allowed to read request headers (slow clients are cut off)."},
		{"HTTP_READ_TIMEOUT", "15s", "Time allowed to read a whole request."},
		{"HTTP_WRITE_TIMEOUT", "30s", "Time allowed to write a response (exports stream within it)."},
		{"CERTIFICATES_TIMEOUT", "10m", "Time allowed to draw and send an event's certificates as one ZIP (it extends HTTP_WRITE_TIMEOUT for that download only)."},
		{"HTTP_IDLE_TIMEOUT", "120s", "How long an idle keep-alive connection stays open."},
		{"HTTP_MAX_HEADER_BYTES", "16384", "Largest size of request headers."},
		{"SHUTDOWN_TIMEOUT", "25s", "How long SIGINT/SIGTERM waits for in-flight work before exiting."},
		{"REGISTER_RATE_LIMIT", "10", "Registrations accepted per client IP per window (web form and API); more get 429."},
		{"REGISTER_RATE_WINDOW", "1m", "The window of REGISTER_RATE_LIMIT."},
		{"LOGIN_RATE_LIMIT", "5", "Failed organizer sign-ins per account from one client address per window; more get 429. Other addresses are not affected."},
		{"LOGIN_RATE_WINDOW", "15m", "The window of LOGIN_RATE_LIMIT and LOGIN_IP_RATE_LIMIT, and how long a failure slows its account down."},
		{"LOGIN_IP_RATE_LIMIT", "20", "Failed organizer sign-ins per client address per window, whatever the account; more get 429."},
		{"LOGIN_DELAY", "250ms", "Wait before a password is checked for an account with one failed sign-in in the window (from any address); doubles with each further failure, up to LOGIN_DELAY_MAX. The account is slowed down, never locked. 0 turns it off."},
		{"LOGIN_DELAY_MAX", "5s", "Longest wait of LOGIN_DELAY; never more than half of what is left of REQUEST_TIMEOUT."},
		{"PASSWORD_HASH_CONCURRENCY", "CPU cores", "Passwords checked at once (Argon2id, 19 MiB each); this bounds the memory sign-ins use."},
		{"PASSWORD_HASH_WAIT", "1s", "How long a sign-in waits for one of PASSWORD_HASH_CONCURRENCY to be free; then 503 with Retry-After."},
		{"TRUSTED_PROXIES", "(none)", "Comma-separated IPs or CIDRs of reverse proxies whose CLIENT_IP_HEADER is trusted for the client IP."},
		{"CLIENT_IP_HEADER", "X-Forwarded-For", "The one header the proxy puts the client address in (e.g. X-Real-IP, CF-Connecting-IP), read only from TRUSTED_PROXIES; of a list, the right-most address that is not a trusted proxy. See docs/SECURITY.md for what the proxy must send."},
		{"CLIENT_IPV6_PREFIX", "64", "Every per-address limit counts an IPv6 client by this prefix (32 to 128), since one client usually holds a whole /64."},
		{"SMTP_URL", "(required by serve and worker)", "smtp://user:pass@host:port sends only after STARTTLS; smtps://… uses TLS from the start; ?starttls=off sends in clear (a local relay or Mailpit; no login then). A login uses the one mechanism ?auth= names, plain (default), login, cram-md5, scram-sha-1, scram-sha-256 (each also -plus) or xoauth2, with no fallback."},
		{"MAIL_FROM", "attend <noreply@localhost>", "Sender of every email."},
		{"MAIL_REPLY_TO", "(none)", "Reply-To of every email, e.g. the organizers' address."},
		{"SMTP_TIMEOUT", "15s", "Timeout for connecting to the SMTP server and for each SMTP command."},
		{"MAIL_BATCH_SIZE", "50", "Emails a worker claims and sends over one SMTP connection at a time."},
		{"MAIL_CONNECTIONS", "4, at most half of DB_MAX_OPEN_CONNS", "Batches a worker sends at once, each over its own SMTP connection; it renders up to twice as many, so the next batch is ready when a connection is free. Each holds one of the process's database connections while it sends, so it must be below DB_MAX_OPEN_CONNS; keep it within what the relay allows (Microsoft 365: 3)."},
		{"MAIL_POLL_INTERVAL", "10s", "How often the worker looks for due emails when no notification wakes it."},
		{"MAIL_WAKE_GAP", "20ms", "Email queued wakes this process's mail worker at once and other processes' with a NOTIFY sent after the commit, at most one per this interval (one shared by every commit meanwhile); 0 sends them back to back."},
		{"MAIL_LEASE", "2m", "How long a claimed email stays reserved; a crashed worker's emails are retried after it."},
		{"MAIL_RETRY_BASE", "5m", "First retry delay after a temporary SMTP failure; doubles each attempt."},
		{"MAIL_RETRY_MAX", "6h", "Longest delay between retries."},
		{"MAIL_MAX_ATTEMPTS", "12", "Attempts before an email is marked failed (the defaults keep retrying for 27.5 to 34.5 hours, depending on jitter: never less than a day)."},
		{"LINK_GRACE", "168h", "How long emailed links keep working after the event ends."},
		{"INVITATION_TTL", "168h", "How long the emailed link that lets a new member of an event's team set a password works (once)."},
		{"INVITEE_IMPORT_MAX_ROWS", "2000", "Most rows one import of invitees may have (a CSV/XLSX file or the API's list); the file itself is bounded by `INVITEE_IMPORT_MAX_BYTES`."},
		{"INVITEE_IMPORT_MAX_BYTES", "5242880", "Largest request body of an import of invitees (the API's CSV or JSON body, the dashboard's file upload and import; 5 MB); larger bodies get 413. It also bounds how far an XLSX file may unpack (16 times this size in all, this size for one sheet in memory), so that a file which inflates enormously is refused with 422."},
		{"INVITEE_RESEND_INTERVAL", "10m", "How long after an invitation's last email an organizer may email it again (with a new link; the earlier one stops working)."},
		{"MESSAGES_PER_ADDRESS_HOUR", "10", "Organizers' messages of one event an address gets per hour at most (1–1000); participants over it are held back and written to by the periodic loop once under it (until the event ends). The registration form's emails keep their own limit of 3."},
		{"MESSAGE_SCHEDULE_DAYS_AFTER_END", "30", "How many days after its event ends a message may still be scheduled for (0–3650); a later `send_at` is a 422."},
		{"WORKER", "true", "Run the mail worker and periodic jobs inside attend serve; set false when running attend worker separately."},
		{"PERIODIC_INTERVAL", "1m", "How often the worker runs periodic jobs (expiry, reminders)."},
		{"WEBHOOK_TIMEOUT", "10s", "How long one webhook delivery may take (connecting, sending, the answer's headers); then it counts as failed and is retried on the MAIL_RETRY_* schedule, up to MAIL_MAX_ATTEMPTS. A claimed delivery is reserved for three times this, at least MAIL_LEASE."},
		{"WEBHOOK_POLL_INTERVAL", "1s", "How often the worker looks for due webhook deliveries."},
		{"WEBHOOK_CONCURRENCY", "4", "Webhook deliveries a worker posts at once."},
		{"WEBHOOK_DISABLE_AFTER", "20", "Failed delivery attempts in a row (with no success between) after which an endpoint is disabled and its owner emailed."},
		{"WEBHOOK_MAX_ENDPOINTS", "20", "Webhook endpoints one organizer may register; each registration is posted to every matching one."},
		{"WEBHOOK_RETENTION", "720h", "How long delivered and failed webhook deliveries stay listed before the worker deletes them (they may carry personal data)."},
		{"WEBHOOK_ALLOW_PRIVATE", "false", "Let webhooks go to loopback, private and link-local addresses. Only for local development: it lets organizers reach the server's own network."},
		{"DELEGATIONS_FILE", "(none)", "A CSV file of international organizations participants may represent, beside the built-in ones (OECD, UNDP, UNICEF, World Bank, ADB, EBRD, IsDB, EU, OSCE, CIS, …): a header row naming the columns code and name.en, and optionally name.ru, name.uz and short.<lang>, then one organization per row; a built-in's code renames it."},
	}
}

// WebhookLease is how long a claimed webhook delivery stays reserved: three
// times WEBHOOK_TIMEOUT, and at least MAIL_LEASE, so that a slow endpoint
// is never posted to twice.
func (c Config) WebhookLease() time.Duration { return max(3*c.WebhookTimeout, c.MailLease) }

// Need says which settings a command cannot run without.
type Need struct {
	SecretKey bool
	// SMTP: the command always sends email (attend worker).
	SMTP bool
	// SMTPIfWorker: the command sends email unless WORKER is false (attend
	// serve).
	SMTPIfWorker bool
}

// Problems lists every missing or malformed setting, one entry each naming
// its variable, so that one failed start shows all there is to fix. Load
// returns it as its error; a command may add what only it can check (the
// SMTP_URL syntax) before it connects to anything.
type Problems []string

// Error puts the problems on one line, for a log or a terminal.
func (p Problems) Error() string { return strings.Join(p, "; ") }

// Load reads the settings through getenv. It returns every problem at once,
// as Problems.
func Load(getenv func(string) string, need Need) (Config, error) {
	l := &loader{getenv: getenv}
	c := Config{
		DatabaseURL:                 l.databaseURL("DATABASE_URL"),
		HTTPAddr:                    l.listenAddr("HTTP_ADDR", ":8080"),
		MetricsAddr:                 l.listenAddrOrOff("METRICS_ADDR"),
		BaseURL:                     l.baseURL("BASE_URL", "http://localhost:8080"),
		LogLevel:                    l.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		DBMaxOpenConns:              l.int("DB_MAX_OPEN_CONNS", 4*runtime.NumCPU(), 1, 1000),
		EventCacheTTL:               l.durOrOff("EVENT_CACHE_TTL", time.Second),
		RegisterBatchSize:           l.int("REGISTER_BATCH_SIZE", store.DefaultRegisterBatchSize, 1, 1000),
		RegisterBatches:             l.int("REGISTER_BATCHES", 0, 1, 1000),
		ExportGCPercent:             l.int("EXPORT_GC_PERCENT", 50, 0, 1000),
		DBStatementTimeout:          l.dur("DB_STATEMENT_TIMEOUT", 5*time.Second),
		MaxBodyBytes:                int64(l.int("MAX_BODY_BYTES", 64<<10, 1024, 64<<20)),
		RequestTimeout:              l.dur("REQUEST_TIMEOUT", 10*time.Second),
		ReadHeaderTimeout:           l.dur("HTTP_READ_HEADER_TIMEOUT", 5*time.Second),
		ReadTimeout:                 l.dur("HTTP_READ_TIMEOUT", 15*time.Second),
		WriteTimeout:                l.dur("HTTP_WRITE_TIMEOUT", 30*time.Second),
		IdleTimeout:                 l.dur("HTTP_IDLE_TIMEOUT", 120*time.Second),
		CertificatesTimeout:         l.dur("CERTIFICATES_TIMEOUT", 10*time.Minute),
		MaxHeaderBytes:              l.int("HTTP_MAX_HEADER_BYTES", 16<<10, 1024, 1<<20),
		ShutdownTimeout:             l.dur("SHUTDOWN_TIMEOUT", 25*time.Second),
		RegisterRateLimit:           l.int("REGISTER_RATE_LIMIT", 10, 1, 1_000_000),
		RegisterRateWindow:          l.dur("REGISTER_RATE_WINDOW", time.Minute),
		LoginRateLimit:              l.int("LOGIN_RATE_LIMIT", 5, 1, 1_000_000),
		LoginRateWindow:             l.dur("LOGIN_RATE_WINDOW", 15*time.Minute),
		TrustedProxies:              l.proxies("TRUSTED_PROXIES"),
		SMTPURL:                     strings.TrimSpace(getenv("SMTP_URL")),
		MailFrom:                    l.address("MAIL_FROM", "attend <noreply@localhost>"),
		MailReplyTo:                 l.address("MAIL_REPLY_TO", ""),
		SMTPTimeout:                 l.dur("SMTP_TIMEOUT", 15*time.Second),
		MailBatchSize:               l.int("MAIL_BATCH_SIZE", 50, 1, 10000),
		MailConnections:             l.int("MAIL_CONNECTIONS", 0, 1, 64),
		MailPoll:                    l.dur("MAIL_POLL_INTERVAL", 10*time.Second),
		MailWakeGap:                 l.durOrOff("MAIL_WAKE_GAP", 20*time.Millisecond),
		MailLease:                   l.dur("MAIL_LEASE", 2*time.Minute),
		MailRetryBase:               l.dur("MAIL_RETRY_BASE", 5*time.Minute),
		MailRetryMax:                l.dur("MAIL_RETRY_MAX", 6*time.Hour),
		MailMaxAttempts:             l.int("MAIL_MAX_ATTEMPTS", 12, 1, 100),
		LinkGrace:                   l.dur("LINK_GRACE", 7*24*time.Hour),
		InvitationTTL:               l.dur("INVITATION_TTL", 7*24*time.Hour),
		InviteeImportMaxRows:        l.int("INVITEE_IMPORT_MAX_ROWS", 2000, 1, 100000),
		InviteeResendInterval:       l.dur("INVITEE_RESEND_INTERVAL", 10*time.Minute),
		InviteeImportMaxBytes:       int64(l.int("INVITEE_IMPORT_MAX_BYTES", 5<<20, 1024, 64<<20)),
		MessagesPerAddressHour:      l.int("MESSAGES_PER_ADDRESS_HOUR", domain.DefaultMessagesPerAddressHour, 1, 1000),
		MessageScheduleDaysAfterEnd: l.int("MESSAGE_SCHEDULE_DAYS_AFTER_END", domain.DefaultMessageScheduleDaysAfterEnd, 0, 3650),
		WorkerEnabled:               l.bool("WORKER", true),
		PeriodicEvery:               l.dur("PERIODIC_INTERVAL", time.Minute),

		LoginIPRateLimit:        l.int("LOGIN_IP_RATE_LIMIT", 20, 1, 1_000_000),
		LoginDelay:              l.durOrOff("LOGIN_DELAY", 250*time.Millisecond),
		LoginDelayMax:           l.dur("LOGIN_DELAY_MAX", 5*time.Second),
		PasswordHashConcurrency: l.int("PASSWORD_HASH_CONCURRENCY", runtime.NumCPU(), 1, 1024),
		PasswordHashWait:        l.dur("PASSWORD_HASH_WAIT", time.Second),
		ClientIPHeader:          l.clientIPHeader("CLIENT_IP_HEADER", "X-Forwarded-For"),
		ClientIPv6Prefix:        l.int("CLIENT_IPV6_PREFIX", 64, 32, 128),
		Delegations:             l.delegations("DELEGATIONS_FILE"),

		WebhookTimeout:      l.dur("WEBHOOK_TIMEOUT", 10*time.Second),
		WebhookPoll:         l.dur("WEBHOOK_POLL_INTERVAL", time.Second),
		WebhookConcurrency:  l.int("WEBHOOK_CONCURRENCY", 4, 1, 256),
		WebhookDisableAfter: l.int("WEBHOOK_DISABLE_AFTER", 20, 1, 100000),
		WebhookAllowPrivate: l.bool("WEBHOOK_ALLOW_PRIVATE", false),
		WebhookMaxEndpoints: l.int("WEBHOOK_MAX_ENDPOINTS", 20, 1, 1000),
		WebhookRetention:    l.dur("WEBHOOK_RETENTION", 30*24*time.Hour),
	}
	if key := getenv("SECRET_KEY"); key != "" || need.SecretKey {
		switch {
		case key == "":
			l.fail("SECRET_KEY is required (at least 32 characters of random text, e.g. from `openssl rand -base64 32`)")
		case len(key) < 32:
			l.fail("SECRET_KEY is too short: %d characters, need at least 32", len(key))
		default:
			c.SecretKey = []byte(key)
		}
	}
	// Each batch in flight holds one of the process's database connections
	// while it sends; the rest must stay free for its other work (claims,
	// leases, and in serve the HTTP handlers).
	switch {
	case c.MailConnections == 0:
		c.MailConnections = min(4, max(1, c.DBMaxOpenConns/2))
	case c.MailConnections >= c.DBMaxOpenConns && c.DBMaxOpenConns > 1:
		l.fail("MAIL_CONNECTIONS (%d) must be lower than DB_MAX_OPEN_CONNS (%d): each batch in flight holds a database connection while it sends",
			c.MailConnections, c.DBMaxOpenConns)
	}
	switch {
	case c.RegisterBatches == 0:
		c.RegisterBatches = store.RegisterBatchesFor(c.DBMaxOpenConns)
	case c.RegisterBatches > c.DBMaxOpenConns:
		l.fail("REGISTER_BATCHES (%d) must not exceed DB_MAX_OPEN_CONNS (%d): each batch being written holds a database connection",
			c.RegisterBatches, c.DBMaxOpenConns)
	}
	// Port 0 (a free port, in tests) never clashes.
	if c.MetricsAddr != "" && c.MetricsAddr == c.HTTPAddr && !strings.HasSuffix(c.HTTPAddr, ":0") {
		l.fail("METRICS_ADDR must differ from HTTP_ADDR (%s): metrics are served on a listener of their own", c.HTTPAddr)
	}
	if (need.SMTP || need.SMTPIfWorker && c.WorkerEnabled) && c.SMTPURL == "" {
		l.fail("SMTP_URL is required to send email (e.g. smtp://127.0.0.1:1025?starttls=off for a local Mailpit)")
	}
	if len(l.errs) > 0 {
		return c, l.errs
	}
	return c, nil
}

type loader struct {
	getenv func(string) string
	errs   Problems
}

func (l *loader) fail(format string, args ...any) {
	l.errs = append(l.errs, fmt.Sprintf(format, args...))
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

func (l *loader) databaseURL(name string) string {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		l.fail("%s is required (e.g. postgres://postgres@127.0.0.1:5432/attend?sslmode=disable)", name)
		return ""
	}
	// lib/pq also takes "key=value" connection strings.
	if strings.Contains(v, "=") && !strings.Contains(v, "://") {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		l.fail("%s is malformed: want postgres://user@host:port/dbname", name)
	}
	return v
}

func (l *loader) baseURL(name, def string) *url.URL {
	v := strings.TrimRight(l.str(name, def), "/")
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		l.fail("%s is malformed: want an absolute http(s) URL such as https://attend.example.org", name)
		u, _ = url.Parse(def)
	}
	return u
}

func (l *loader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(l.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	l.fail("%s must be one of %s, not %q", name, strings.Join(allowed, ", "), v)
	return def
}

func (l *loader) int(name string, def, lo, hi int) int {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		l.fail("%s must be a whole number from %d to %d, not %q", name, lo, hi, v)
		return def
	}
	return n
}

// durOrOff is dur that also takes 0 (or 0s), meaning "off".
func (l *loader) durOrOff(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(l.getenv(name))
	if d, err := time.ParseDuration(v); v == "0" || err == nil && d == 0 {
		return 0
	}
	return l.dur(name, def)
}

func (l *loader) dur(name string, def time.Duration) time.Duration {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		l.fail("%s must be a positive duration such as 5s or 2m, not %q", name, v)
		return def
	}
	return d
}

func (l *loader) list(name string) []string {
	var out []string
	for _, p := range strings.Split(l.getenv(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// clientIPHeader reads the name of the header that carries the client
// address. Forwarded (RFC 7239) is refused: its for= syntax is not an
// address list, so every client would look like the proxy.
func (l *loader) clientIPHeader(name, def string) string {
	v := l.str(name, def)
	valid := v != ""
	for _, r := range v {
		valid = valid && (r == '-' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z')
	}
	switch {
	case !valid:
		l.fail("%s must be a header name such as X-Forwarded-For or X-Real-IP, not %q", name, v)
		return def
	case strings.EqualFold(v, "Forwarded"):
		l.fail("%s cannot be Forwarded (RFC 7239); have the proxy send X-Forwarded-For or X-Real-IP", name)
		return def
	}
	return textproto.CanonicalMIMEHeaderKey(v)
}

// listenAddr is a host:port for net.Listen; it is checked here so that a
// typo is reported with the other settings, not after the database is up.
func (l *loader) listenAddr(name, def string) string {
	v := l.str(name, def)
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		_, err = net.LookupPort("tcp", port)
	}
	if err != nil {
		l.fail("%s is malformed: want host:port or :port, such as :8080, not %q", name, v)
		return def
	}
	return v
}

// listenAddrOrOff is listenAddr with no default: empty means off.
func (l *loader) listenAddrOrOff(name string) string {
	if strings.TrimSpace(l.getenv(name)) == "" {
		return ""
	}
	return l.listenAddr(name, "")
}

// proxies are IP addresses or CIDR ranges.
func (l *loader) proxies(name string) []string {
	out := l.list(name)
	for _, p := range out {
		if _, err := netip.ParseAddr(p); err == nil {
			continue
		}
		if _, err := netip.ParsePrefix(p); err != nil {
			l.fail("%s is malformed: %q is neither an IP address nor a CIDR range", name, p)
			return nil
		}
	}
	return out
}

// address is an email address, optionally with a display name.
func (l *loader) address(name, def string) string {
	v := l.str(name, def)
	if v == "" {
		return v
	}
	if _, err := mail.ParseAddress(v); err != nil || strings.ContainsAny(v, "\r\n") {
		l.fail("%s is malformed: want an address such as attend <noreply@example.org>", name)
		return def
	}
	return v
}

func (l *loader) bool(name string, def bool) bool {
	v := strings.TrimSpace(l.getenv(name))
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.fail("%s must be true or false, not %q", name, v)
		return def
	}
	return b
}

// delegations reads the organizations of the file named by name, if any,
// beside the built-in ones.
func (l *loader) delegations(name string) *domain.Delegations {
	path := strings.TrimSpace(l.getenv(name))
	var extra []domain.Organization
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			l.fail("%s cannot be read: %v", name, err)
			return domain.BuiltinDelegations()
		}
		defer f.Close()
		if extra, err = domain.ParseOrganizations(f); err != nil {
			l.fail("%s (%s): %v", name, path, err)
			return domain.BuiltinDelegations()
		}
	}
	d, err := domain.NewDelegations(extra)
	if err != nil {
		l.fail("%s: %v", name, err)
		return domain.BuiltinDelegations()
	}
	return d
}
