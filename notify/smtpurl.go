package notify

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// StartTLS says whether a plain smtp:// connection upgrades to TLS.
type StartTLS string

const (
	// StartTLSRequired refuses to send unless the upgrade succeeds. It is
	// the default: mail carries links that act for their recipient, and a
	// server (or anyone on the path) that leaves STARTTLS out must not get
	// them in clear.
	StartTLSRequired StartTLS = "required"
	// StartTLSOff never upgrades: for a relay on the same machine or a
	// development server such as Mailpit, and only when asked for.
	StartTLSOff StartTLS = "off"
)

// AuthMechanism is the one SASL mechanism used to log in, named in
// SMTP_URL's auth parameter. There is no fallback: a server that does not
// offer it gets no login and no mail.
type AuthMechanism string

// The mechanisms go-mail can use, as written in SMTP_URL.
const (
	AuthPlain           AuthMechanism = "plain"
	AuthLogin           AuthMechanism = "login"
	AuthCRAMMD5         AuthMechanism = "cram-md5"
	AuthSCRAMSHA1       AuthMechanism = "scram-sha-1"
	AuthSCRAMSHA1Plus   AuthMechanism = "scram-sha-1-plus"
	AuthSCRAMSHA256     AuthMechanism = "scram-sha-256"
	AuthSCRAMSHA256Plus AuthMechanism = "scram-sha-256-plus"
	AuthXOAUTH2         AuthMechanism = "xoauth2"
)

var authMechanisms = []AuthMechanism{AuthPlain, AuthLogin, AuthCRAMMD5, AuthSCRAMSHA1, AuthSCRAMSHA1Plus,
	AuthSCRAMSHA256, AuthSCRAMSHA256Plus, AuthXOAUTH2}

// goMailAuth maps each mechanism to go-mail's name for it; "" is no login.
var goMailAuth = map[AuthMechanism]gomail.SMTPAuthType{
	"":                  gomail.SMTPAuthNoAuth,
	AuthPlain:           gomail.SMTPAuthPlain,
	AuthLogin:           gomail.SMTPAuthLogin,
	AuthCRAMMD5:         gomail.SMTPAuthCramMD5,
	AuthSCRAMSHA1:       gomail.SMTPAuthSCRAMSHA1,
	AuthSCRAMSHA1Plus:   gomail.SMTPAuthSCRAMSHA1PLUS,
	AuthSCRAMSHA256:     gomail.SMTPAuthSCRAMSHA256,
	AuthSCRAMSHA256Plus: gomail.SMTPAuthSCRAMSHA256PLUS,
	AuthXOAUTH2:         gomail.SMTPAuthXOAUTH2,
}

// SMTPConfig is where and how to deliver mail, as parsed from SMTP_URL.
type SMTPConfig struct {
	Host string
	Port int
	// Username and Password are empty when the server needs no login.
	Username string
	Password string
	// Auth is the mechanism to log in with when there is a Username
	// (ParseSMTPURL and NewSender make it plain when none is named).
	Auth AuthMechanism
	// ImplicitTLS means TLS from the first byte (smtps://, usually port 465).
	ImplicitTLS bool
	// StartTLS applies to smtp:// only; it is StartTLSOff with ImplicitTLS.
	StartTLS StartTLS
}

// ParseSMTPURL reads SMTP_URL:
//
//	smtp://[user[:pass]@]host[:port][?starttls=required|off][&auth=MECHANISM]
//	smtps://[user[:pass]@]host[:port][?auth=MECHANISM]
//
// The port defaults to 587 for smtp and 465 for smtps. User and password
// are URL-decoded, so a password containing "@" or "/" is written %40, %2F.
// smtp upgrades with STARTTLS or does not send (starttls=required, the
// default); starttls=off sends in clear and so takes no user. smtps is TLS
// from the start and so takes no starttls parameter. auth names the one
// mechanism to log in with (plain by default, when a user is given).
// Unknown parameters are errors, so a typo is not silently ignored.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url's own message repeats the whole URL, password included.
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: not a valid URL")
	}
	var cfg SMTPConfig
	switch u.Scheme {
	case "smtp":
		cfg.Port, cfg.StartTLS = 587, StartTLSRequired
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
		if key != "starttls" && key != "auth" {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: unknown parameter %q", key)
		}
		if len(values) != 1 {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: %s given %d times", key, len(values))
		}
	}
	if v, ok := query["starttls"]; ok {
		if cfg.ImplicitTLS {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid starttls for smtps, which uses TLS from the start")
		}
		switch mode := StartTLS(strings.ToLower(v[0])); mode {
		case StartTLSRequired, StartTLSOff:
			cfg.StartTLS = mode
		case "opportunistic":
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: starttls=opportunistic is not supported: it sends in clear " +
				"whenever STARTTLS is missing; use required, or off for a local relay")
		default:
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid starttls %q, want required or off", v[0])
		}
	}
	if v, ok := query["auth"]; ok {
		if cfg.Username == "" {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: auth given without a user name")
		}
		mech := AuthMechanism(strings.ToLower(v[0]))
		if !slices.Contains(authMechanisms, mech) {
			return SMTPConfig{}, fmt.Errorf("SMTP_URL: invalid auth %q, want one of %s", v[0], joinMechanisms())
		}
		cfg.Auth = mech
	} else if cfg.Username != "" {
		cfg.Auth = AuthPlain
	}
	if cfg.Username != "" && !cfg.encrypted() {
		return SMTPConfig{}, fmt.Errorf("SMTP_URL: a user name with starttls=off would send the login in clear; " +
			"use starttls=required or smtps")
	}
	return cfg, nil
}

// encrypted reports whether the whole session, login included, is over TLS.
func (c SMTPConfig) encrypted() bool {
	return c.ImplicitTLS || c.StartTLS == StartTLSRequired
}

func joinMechanisms() string {
	names := make([]string, len(authMechanisms))
	for i, m := range authMechanisms {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
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
	var query []string
	if !c.ImplicitTLS {
		query = append(query, "starttls="+string(c.StartTLS))
	}
	if c.Auth != "" {
		query = append(query, "auth="+string(c.Auth))
	}
	s := scheme + "://" + user + c.Addr()
	if len(query) > 0 {
		s += "?" + strings.Join(query, "&")
	}
	return s
}
