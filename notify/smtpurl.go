package notify

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// StartTLS says whether a plain smtp:// connection upgrades to TLS.
type StartTLS string

const (
	// StartTLSOpportunistic upgrades when the server offers STARTTLS and
	// carries on in plain text when it does not. It is the default because
	// local relays and test servers often have no certificate.
	StartTLSOpportunistic StartTLS = "opportunistic"
	// StartTLSRequired refuses to send unless the upgrade succeeds.
	StartTLSRequired StartTLS = "required"
	// StartTLSOff never upgrades.
	StartTLSOff StartTLS = "off"
)

// SMTPConfig is where and how to deliver mail, as parsed from SMTP_URL.
type SMTPConfig struct {
	Host string
	Port int
	// Username and Password are empty when the server needs no login.
	Username string
	Password string
	// ImplicitTLS means TLS from the first byte (smtps://, usually port 465).
	ImplicitTLS bool
	// StartTLS applies to smtp:// only; it is StartTLSOff with ImplicitTLS.
	StartTLS StartTLS
}

// ParseSMTPURL reads SMTP_URL:
//
//	smtp://[user[:pass]@]host[:port][?starttls=required|opportunistic|off]
//	smtps://[user[:pass]@]host[:port]
//
// The port defaults to 587 for smtp and 465 for smtps. User and password
// are URL-decoded, so a password containing "@" or "/" is written %40, %2F.
// smtps is TLS from the start and so takes no starttls parameter. Unknown
// parameters are errors, so a typo is not silently ignored.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's own message repeats the whole URL, password included.
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: not a valid URL")
	}
	var cfg SMTPConfig
	switch u.Scheme {
	case "smtp":
		cfg.Port, cfg.StartTLS = 587, StartTLSOpportunistic
	case "smtps":
		cfg.Port, cfg.ImplicitTLS, cfg.StartTLS = 465, true, StartTLSOff
	case "":
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: missing scheme, want smtp:// or smtps://")
	default:
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: unknown scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: want %s://host, got no host", u.Scheme)
	}
	cfg.Host = u.Hostname()
	if cfg.Host == "" {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: missing host")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid port %q", p)
		}
		cfg.Port = port
	} else if strings.HasSuffix(u.Host, ":") {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: empty port")
	}
	if u.Path != "" && u.Path != "/" {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: unexpected path %q", u.Path)
	}
	if u.Fragment != "" {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: unexpected fragment")
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password() // absent and empty passwords are the same here
		if cfg.Username == "" {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: password given without a user name")
		}
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid query: %w", err)
	}
	for key, values := range query {
		if key != "starttls" {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: unknown parameter %q", key)
		}
		if len(values) != 1 {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: starttls given %d times", len(values))
		}
		if cfg.ImplicitTLS {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid starttls for smtps, which uses TLS from the start")
		}
		switch mode := StartTLS(strings.ToLower(values[0])); mode {
		case StartTLSRequired, StartTLSOpportunistic, StartTLSOff:
			cfg.StartTLS = mode
		default:
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid starttls %q, want required, opportunistic or off", values[0])
		}
	}
	return cfg, nil
}

// Addr is host:port, for logs and dialing.
func (c SMTPConfig) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// String describes the configuration without the password, for start-up logs.
func (c SMTPConfig) String() string {
	scheme := "smtp"
	if c.ImplicitTLS {
		scheme = "smtps"
	}
	var user string
	if c.Username != "" {
		user = url.User(c.Username).String() + "@"
		if c.Password != "" {
			user = url.UserPassword(c.Username, "redacted").String() + "@"
		}
	}
	s := scheme + "://" + user + c.Addr()
	if !c.ImplicitTLS {
		s += "?starttls=" + string(c.StartTLS)
	}
	return s
}
