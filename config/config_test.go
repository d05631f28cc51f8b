package config

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

const testDatabaseURL = "postgres://attend@127.0.0.1:5432/attend?sslmode=disable"

// env is a getenv over a fixed map.
func env(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

// withDB returns kv plus a valid DATABASE_URL unless kv sets one.
func withDB(kv map[string]string) map[string]string {
	out := map[string]string{"DATABASE_URL": testDatabaseURL}
	for k, v := range kv {
		out[k] = v
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(withDB(nil)), Need{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DATABASE_URL", c.DatabaseURL, testDatabaseURL},
		{"HTTP_ADDR", c.HTTPAddr, ":8080"},
		{"METRICS_ADDR (off)", c.MetricsAddr, ""},
		{"BASE_URL", c.BaseURL.String(), "http://localhost:8080"},
		{"LOG_LEVEL", c.LogLevel, "info"},
		{"DB_MAX_OPEN_CONNS", c.DBMaxOpenConns, 4 * runtime.NumCPU()},
		{"DB_STATEMENT_TIMEOUT", c.DBStatementTimeout, 5 * time.Second},
		{"MAX_BODY_BYTES", c.MaxBodyBytes, int64(65536)},
		{"REQUEST_TIMEOUT", c.RequestTimeout, 10 * time.Second},
		{"HTTP_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout, 5 * time.Second},
		{"HTTP_READ_TIMEOUT", c.ReadTimeout, 15 * time.Second},
		{"HTTP_WRITE_TIMEOUT", c.WriteTimeout, 30 * time.Second},
		{"HTTP_IDLE_TIMEOUT", c.IdleTimeout, 120 * time.Second},
		{"HTTP_MAX_HEADER_BYTES", c.MaxHeaderBytes, 16384},
		{"SHUTDOWN_TIMEOUT", c.ShutdownTimeout, 25 * time.Second},
		{"REGISTER_RATE_LIMIT", c.RegisterRateLimit, 10},
		{"REGISTER_RATE_WINDOW", c.RegisterRateWindow, time.Minute},
		{"LOGIN_RATE_LIMIT", c.LoginRateLimit, 5},
		{"LOGIN_RATE_WINDOW", c.LoginRateWindow, 15 * time.Minute},
		{"TRUSTED_PROXIES", len(c.TrustedProxies), 0},
		{"LOGIN_IP_RATE_LIMIT", c.LoginIPRateLimit, 20},
		{"LOGIN_DELAY", c.LoginDelay, 250 * time.Millisecond},
		{"LOGIN_DELAY_MAX", c.LoginDelayMax, 5 * time.Second},
		{"PASSWORD_HASH_CONCURRENCY", c.PasswordHashConcurrency, runtime.NumCPU()},
		{"PASSWORD_HASH_WAIT", c.PasswordHashWait, time.Second},
		{"CLIENT_IP_HEADER", c.ClientIPHeader, "X-Forwarded-For"},
		{"CLIENT_IPV6_PREFIX", c.ClientIPv6Prefix, 64},
		{"SMTP_URL", c.SMTPURL, ""},
		{"MAIL_FROM", c.MailFrom, "attend <noreply@localhost>"},
		{"MAIL_REPLY_TO", c.MailReplyTo, ""},
		{"SMTP_TIMEOUT", c.SMTPTimeout, 15 * time.Second},
		{"MAIL_BATCH_SIZE", c.MailBatchSize, 50},
		{"MAIL_CONNECTIONS", c.MailConnections, min(4, max(1, 4*runtime.NumCPU()/2))},
		{"EVENT_CACHE_TTL", c.EventCacheTTL, time.Second},
		{"EXPORT_GC_PERCENT", c.ExportGCPercent, 50},
		{"MAIL_POLL_INTERVAL", c.MailPoll, 10 * time.Second},
		{"MAIL_WAKE_GAP", c.MailWakeGap, 20 * time.Millisecond},
		{"MAIL_LEASE", c.MailLease, 2 * time.Minute},
		{"MAIL_RETRY_BASE", c.MailRetryBase, 5 * time.Minute},
		{"MAIL_RETRY_MAX", c.MailRetryMax, 6 * time.Hour},
		{"MAIL_MAX_ATTEMPTS", c.MailMaxAttempts, 12},
		{"LINK_GRACE", c.LinkGrace, 7 * 24 * time.Hour},
		{"INVITATION_TTL", c.InvitationTTL, 7 * 24 * time.Hour},
		{"INVITEE_IMPORT_MAX_ROWS", c.InviteeImportMaxRows, 2000},
		{"MESSAGES_PER_ADDRESS_HOUR", c.MessagesPerAddressHour, 10},
		{"MESSAGE_SCHEDULE_DAYS_AFTER_END", c.MessageScheduleDaysAfterEnd, 30},
		{"INVITEE_IMPORT_MAX_BYTES", c.InviteeImportMaxBytes, int64(5 << 20)},
		{"INVITEE_RESEND_INTERVAL", c.InviteeResendInterval, 10 * time.Minute},
		{"WORKER", c.WorkerEnabled, true},
		{"PERIODIC_INTERVAL", c.PeriodicEvery, time.Minute},
		{"SECRET_KEY", c.SecretKey == nil, true},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadReadsSettings(t *testing.T) {
	c, err := Load(env(withDB(map[string]string{
		"HTTP_ADDR":          " 127.0.0.1:0 ",
		"METRICS_ADDR":       " 127.0.0.1:9090 ",
		"BASE_URL":           "https://attend.example.org/",
		"LOG_LEVEL":          "DEBUG",
		"SECRET_KEY":         strings.Repeat("k", 32),
		"REQUEST_TIMEOUT":    "2s",
		"MAX_BODY_BYTES":     "1024",
		"TRUSTED_PROXIES":    " 10.0.0.1, 192.168.0.0/16 ,,",
		"WORKER":             "false",
		"SMTP_URL":           "smtp://127.0.0.1:1025?starttls=off",
		"DB_MAX_OPEN_CONNS":  "7",
		"MAIL_POLL_INTERVAL": "1m30s",
		"EVENT_CACHE_TTL":    "0s",
		"INVITATION_TTL":     "48h",
	})), Need{SecretKey: true, SMTP: true})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.HTTPAddr != "127.0.0.1:0" || c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("HTTPAddr = %q, MetricsAddr = %q, want them trimmed", c.HTTPAddr, c.MetricsAddr)
	}
	if c.BaseURL.String() != "https://attend.example.org" {
		t.Errorf("BaseURL = %q, want the trailing slash dropped", c.BaseURL)
	}
	if c.LogLevel != "debug" {
		t.Errorf("LogLevel = %q, want debug", c.LogLevel)
	}
	if string(c.SecretKey) != strings.Repeat("k", 32) {
		t.Errorf("SecretKey = %q", c.SecretKey)
	}
	if c.RequestTimeout != 2*time.Second || c.MaxBodyBytes != 1024 || c.DBMaxOpenConns != 7 || c.MailPoll != 90*time.Second {
		t.Errorf("timeout %v, body %d, conns %d, poll %v; want 2s, 1024, 7, 1m30s",
			c.RequestTimeout, c.MaxBodyBytes, c.DBMaxOpenConns, c.MailPoll)
	}
	if c.EventCacheTTL != 0 || c.MailConnections != 3 {
		t.Errorf("EVENT_CACHE_TTL 0s gave %v, want 0 (off); MAIL_CONNECTIONS %d, want 3 (under 7 connections)",
			c.EventCacheTTL, c.MailConnections)
	}
	if !slices.Equal(c.TrustedProxies, []string{"10.0.0.1", "192.168.0.0/16"}) {
		t.Errorf("TrustedProxies = %q", c.TrustedProxies)
	}
	if c.WorkerEnabled {
		t.Error("WorkerEnabled = true, want false")
	}
	if c.InvitationTTL != 48*time.Hour {
		t.Errorf("InvitationTTL = %v, want 48h", c.InvitationTTL)
	}
}

func TestLoadReadsSignInSettings(t *testing.T) {
	c, err := Load(env(withDB(map[string]string{
		"LOGIN_IP_RATE_LIMIT":       "50",
		"LOGIN_DELAY":               "0",
		"LOGIN_DELAY_MAX":           "2s",
		"PASSWORD_HASH_CONCURRENCY": "3",
		"PASSWORD_HASH_WAIT":        "500ms",
		"CLIENT_IP_HEADER":          " x-real-ip ",
		"CLIENT_IPV6_PREFIX":        "56",
	})), Need{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	got := []any{c.LoginIPRateLimit, c.LoginDelay, c.LoginDelayMax, c.PasswordHashConcurrency, c.PasswordHashWait, c.ClientIPHeader, c.ClientIPv6Prefix}
	want := []any{50, time.Duration(0), 2 * time.Second, 3, 500 * time.Millisecond, "X-Real-Ip", 56}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (LOGIN_DELAY 0 is off; the header name in its canonical form)", got, want)
	}
}

func TestLoadAcceptsDatabaseURLForms(t *testing.T) {
	for _, dsn := range []string{
		"postgres://attend@127.0.0.1:5432/attend?sslmode=disable",
		"postgresql://attend:secret@db.internal/attend",
		"host=127.0.0.1 port=5432 user=attend dbname=attend sslmode=disable",
	} {
		t.Run(dsn+" is accepted", func(t *testing.T) {
			c, err := Load(env(map[string]string{"DATABASE_URL": dsn}), Need{})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.DatabaseURL != dsn {
				t.Errorf("DatabaseURL = %q, want %q", c.DatabaseURL, dsn)
			}
		})
	}
}

func TestLoadRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		need Need
		want string // the variable the error must name
	}{
		{"a missing DATABASE_URL", map[string]string{"DATABASE_URL": ""}, Need{}, "DATABASE_URL"},
		{"a DATABASE_URL of only spaces", map[string]string{"DATABASE_URL": "   "}, Need{}, "DATABASE_URL"},
		{"a DATABASE_URL with another scheme", map[string]string{"DATABASE_URL": "mysql://root@localhost/attend"}, Need{}, "DATABASE_URL"},
		{"a DATABASE_URL that is not a URL", map[string]string{"DATABASE_URL": "localhost"}, Need{}, "DATABASE_URL"},
		{"a DATABASE_URL with a broken escape", map[string]string{"DATABASE_URL": "postgres://user:%zz@host/db"}, Need{}, "DATABASE_URL"},
		{"a missing SECRET_KEY when needed", nil, Need{SecretKey: true}, "SECRET_KEY"},
		{"a short SECRET_KEY when needed", map[string]string{"SECRET_KEY": strings.Repeat("k", 31)}, Need{SecretKey: true}, "SECRET_KEY"},
		{"a short SECRET_KEY even when not needed", map[string]string{"SECRET_KEY": "short"}, Need{}, "SECRET_KEY"},
		{"a missing SMTP_URL when needed", nil, Need{SMTP: true}, "SMTP_URL"},
		{"a BASE_URL without a scheme", map[string]string{"BASE_URL": "attend.example.org"}, Need{}, "BASE_URL"},
		{"a BASE_URL with host and port but no scheme", map[string]string{"BASE_URL": "localhost:8080"}, Need{}, "BASE_URL"},
		{"a BASE_URL with another scheme", map[string]string{"BASE_URL": "ftp://attend.example.org"}, Need{}, "BASE_URL"},
		{"a BASE_URL without a host", map[string]string{"BASE_URL": "https://"}, Need{}, "BASE_URL"},
		{"a BASE_URL with a query", map[string]string{"BASE_URL": "https://attend.example.org/?x=1"}, Need{}, "BASE_URL"},
		{"an unknown LOG_LEVEL", map[string]string{"LOG_LEVEL": "verbose"}, Need{}, "LOG_LEVEL"},
		{"a duration without a unit", map[string]string{"REQUEST_TIMEOUT": "10"}, Need{}, "REQUEST_TIMEOUT"},
		{"a negative duration", map[string]string{"SHUTDOWN_TIMEOUT": "-5s"}, Need{}, "SHUTDOWN_TIMEOUT"},
		{"a zero duration", map[string]string{"DB_STATEMENT_TIMEOUT": "0s"}, Need{}, "DB_STATEMENT_TIMEOUT"},
		{"a duration in words", map[string]string{"MAIL_RETRY_MAX": "six hours"}, Need{}, "MAIL_RETRY_MAX"},
		{"a number with a unit", map[string]string{"MAX_BODY_BYTES": "64k"}, Need{}, "MAX_BODY_BYTES"},
		{"a number below its range", map[string]string{"MAX_BODY_BYTES": "100"}, Need{}, "MAX_BODY_BYTES"},
		{"an invitee import limit below its range", map[string]string{"INVITEE_IMPORT_MAX_BYTES": "10"}, Need{}, "INVITEE_IMPORT_MAX_BYTES"},
		{"zero connections", map[string]string{"DB_MAX_OPEN_CONNS": "0"}, Need{}, "DB_MAX_OPEN_CONNS"},
		{"a number above its range", map[string]string{"MAIL_MAX_ATTEMPTS": "1000"}, Need{}, "MAIL_MAX_ATTEMPTS"},
		{"a fractional number", map[string]string{"REGISTER_RATE_LIMIT": "2.5"}, Need{}, "REGISTER_RATE_LIMIT"},
		{"a boolean in words", map[string]string{"WORKER": "yes please"}, Need{}, "WORKER"},
		{"as many mail connections as database connections", map[string]string{"DB_MAX_OPEN_CONNS": "4", "MAIL_CONNECTIONS": "4"}, Need{}, "MAIL_CONNECTIONS"},
		{"a client IP header with a space", map[string]string{"CLIENT_IP_HEADER": "X Real IP"}, Need{}, "CLIENT_IP_HEADER"},
		{"a client IP header with a colon", map[string]string{"CLIENT_IP_HEADER": "X-Real-IP:"}, Need{}, "CLIENT_IP_HEADER"},
		{"the Forwarded header, whose syntax is not an address list", map[string]string{"CLIENT_IP_HEADER": "forwarded"}, Need{}, "CLIENT_IP_HEADER"},
		{"an IPv6 prefix longer than an address", map[string]string{"CLIENT_IPV6_PREFIX": "129"}, Need{}, "CLIENT_IPV6_PREFIX"},
		{"an IPv6 prefix wider than any one client holds", map[string]string{"CLIENT_IPV6_PREFIX": "16"}, Need{}, "CLIENT_IPV6_PREFIX"},
		{"no hashing slot at all", map[string]string{"PASSWORD_HASH_CONCURRENCY": "0"}, Need{}, "PASSWORD_HASH_CONCURRENCY"},
		{"a negative schedule window for messages", map[string]string{"MESSAGE_SCHEDULE_DAYS_AFTER_END": "-1"}, Need{}, "MESSAGE_SCHEDULE_DAYS_AFTER_END"},
		{"a missing SMTP_URL when the worker runs in serve", nil, Need{SMTPIfWorker: true}, "SMTP_URL"},
		{"a missing SMTP_URL for attend worker even with WORKER=false", map[string]string{"WORKER": "false"}, Need{SMTP: true}, "SMTP_URL"},
		{"an HTTP_ADDR without a colon", map[string]string{"HTTP_ADDR": "8080"}, Need{}, "HTTP_ADDR"},
		{"an HTTP_ADDR without a port", map[string]string{"HTTP_ADDR": "localhost"}, Need{}, "HTTP_ADDR"},
		{"an HTTP_ADDR with a port out of range", map[string]string{"HTTP_ADDR": ":80800"}, Need{}, "HTTP_ADDR"},
		{"a METRICS_ADDR without a port", map[string]string{"METRICS_ADDR": "127.0.0.1"}, Need{}, "METRICS_ADDR"},
		{"a METRICS_ADDR with a port out of range", map[string]string{"METRICS_ADDR": ":90900"}, Need{}, "METRICS_ADDR"},
		{"a METRICS_ADDR equal to HTTP_ADDR", map[string]string{"METRICS_ADDR": ":8080"}, Need{}, "METRICS_ADDR"},
		{"a TRUSTED_PROXIES entry that is no address", map[string]string{"TRUSTED_PROXIES": "10.0.0.1, proxy.internal"}, Need{}, "TRUSTED_PROXIES"},
		{"a TRUSTED_PROXIES range with a bad mask", map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, Need{}, "TRUSTED_PROXIES"},
		{"a MAIL_FROM that is no address", map[string]string{"MAIL_FROM": "attend noreply"}, Need{}, "MAIL_FROM"},
		{"a MAIL_REPLY_TO without a domain", map[string]string{"MAIL_REPLY_TO": "organizers@"}, Need{}, "MAIL_REPLY_TO"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is an error naming "+tt.want, func(t *testing.T) {
			_, err := Load(env(withDB(tt.env)), tt.need)
			if err == nil {
				t.Fatalf("Load succeeded, want an error naming %s", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %s", err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error %q spans more than one line", err)
			}
		})
	}
}

func TestLoadReportsEveryProblemOnOneLine(t *testing.T) {
	_, err := Load(env(map[string]string{
		"BASE_URL":        "nope",
		"REQUEST_TIMEOUT": "soon\nX-Injected: 1",
		"LOG_LEVEL":       "loud\r\n",
		"MAX_BODY_BYTES":  "lots\n",
		"SECRET_KEY":      "short",
	}), Need{SecretKey: true, SMTP: true})
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\r\n") {
		t.Errorf("error spans more than one line:\n%s", msg)
	}
	for _, name := range []string{"DATABASE_URL", "BASE_URL", "REQUEST_TIMEOUT", "LOG_LEVEL", "MAX_BODY_BYTES", "SECRET_KEY", "SMTP_URL"} {
		if !strings.Contains(msg, name) {
			t.Errorf("error %q does not name %s", msg, name)
		}
	}
}

func TestLoadListsEachProblemOnce(t *testing.T) {
	bad := map[string]string{
		"DATABASE_URL":    "mysql://root@localhost/attend",
		"HTTP_ADDR":       "8080",
		"BASE_URL":        "localhost:8080",
		"LOG_LEVEL":       "loud",
		"REQUEST_TIMEOUT": "10",
		"MAX_BODY_BYTES":  "64k",
		"TRUSTED_PROXIES": "proxy.internal",
		"MAIL_FROM":       "attend noreply",
		"MAIL_REPLY_TO":   "organizers@",
		"WORKER":          "yes please",
		"SECRET_KEY":      "short",
	}
	_, err := Load(env(bad), Need{SecretKey: true, SMTP: true})
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("error = %v (%T), want Problems", err, err)
	}
	want := append(slices.Sorted(maps.Keys(bad)), "SMTP_URL")
	if len(problems) != len(want) {
		t.Errorf("%d problems, want one for each of %v:\n%s", len(problems), want, strings.Join(problems, "\n"))
	}
	for _, name := range want {
		n := 0
		for _, p := range problems {
			if strings.HasPrefix(p, name+" ") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d problems start with %s, want 1:\n%s", n, name, strings.Join(problems, "\n"))
		}
	}
}

func TestLoadNeedsSMTPURLOnlyWhenTheWorkerRuns(t *testing.T) {
	if _, err := Load(env(withDB(map[string]string{"WORKER": "false"})), Need{SecretKey: false, SMTPIfWorker: true}); err != nil {
		t.Errorf("serve with WORKER=false and no SMTP_URL: %v, want no error", err)
	}
	if _, err := Load(env(withDB(nil)), Need{SMTPIfWorker: true}); err == nil || !strings.Contains(err.Error(), "SMTP_URL") {
		t.Errorf("serve with the worker and no SMTP_URL: %v, want an error naming SMTP_URL", err)
	}
}

func TestLoadNeverPrintsTheSecretKey(t *testing.T) {
	secret := "tooshort-but-secret"
	_, err := Load(env(withDB(map[string]string{"SECRET_KEY": secret})), Need{SecretKey: true})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("error = %v; want an error that does not show the key", err)
	}
}

func TestSettingsListEveryVariableLoadReads(t *testing.T) {
	read := map[string]bool{}
	getenv := func(k string) string {
		read[k] = true
		return withDB(nil)[k]
	}
	if _, err := Load(getenv, Need{SecretKey: false}); err != nil {
		t.Fatalf("Load: %v", err)
	}
	documented := map[string]bool{}
	for _, s := range Settings() {
		if documented[s.Name] {
			t.Errorf("%s is listed twice in Settings", s.Name)
		}
		documented[s.Name] = true
		if s.Default == "" || s.Description == "" {
			t.Errorf("%s has no default or description in Settings", s.Name)
		}
	}
	for name := range read {
		if !documented[name] {
			t.Errorf("Load reads %s, but Settings does not list it", name)
		}
	}
	for name := range documented {
		if !read[name] {
			t.Errorf("Settings lists %s, but Load never reads it", name)
		}
	}
}

func TestREADMEDocumentsEverySetting(t *testing.T) {
	path := filepath.Join("..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("README.md must document every setting of config.Settings(), but it cannot be read: %v", err)
	}
	readme := string(b)
	for _, s := range Settings() {
		if !strings.Contains(readme, s.Name) {
			t.Errorf("README.md must document %s (default %s): %s", s.Name, s.Default, s.Description)
		}
	}
}

func TestLoadAddsTheOrganizationsOfDelegationsFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "organizations.csv")
	if err := os.WriteFile(good, []byte("code,name.en,short.ru\nACSH,Astana Civil Service Hub,Хаб\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(withDB(map[string]string{"DELEGATIONS_FILE": good})), Need{})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if o, ok := c.Delegations.Organization("ACSH"); !ok || o.Short["ru"] != "Хаб" {
		t.Errorf("ACSH = %+v (found %v)", o, ok)
	}
	if _, ok := c.Delegations.Organization("OECD"); !ok {
		t.Error("the built-in organizations are gone")
	}
	if c, err := Load(env(withDB(nil)), Need{}); err != nil || c.Delegations == nil || !c.Delegations.IsOrganization("UNDP") {
		t.Errorf("without the file: %v, %v; want the built-in organizations", c.Delegations, err)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("code,name.en\nFR,France\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, path := range map[string]string{"a missing file": filepath.Join(dir, "none.csv"), "a country's code": bad} {
		_, err := Load(env(withDB(map[string]string{"DELEGATIONS_FILE": path})), Need{})
		if err == nil || !strings.Contains(err.Error(), "DELEGATIONS_FILE") {
			t.Errorf("%s: error %v, want one naming DELEGATIONS_FILE", name, err)
		}
	}
}
