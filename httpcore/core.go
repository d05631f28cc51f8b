// Package httpcore is what attend's three front ends share: the JSON API
// (package api), the public pages (package web) and the organizers'
// dashboard (package admin). Package server puts them together.
//
// It holds their dependencies (Core); the middleware every request passes
// (request id, logging, recovery, limits, security headers, cross-origin
// protection, the client's address, the registration rate limit); the one
// translation of domain errors into answers, from one table, as problem
// details for programs and as error pages for people; page rendering, the
// views every page gets and the choice of a page's language; JSON decoding
// and the language of JSON answers; the event facts pages show; the checks
// of the registration list's query; and the download of attendee lists.
package httpcore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/static"
	"github.com/attend/attend/store"
)

// Deps are what the front ends need; run() builds them once.
type Deps struct {
	Config config.Config
	Store  *store.Store
	Rules  *domain.Rules
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CheckPassword checks a dashboard sign-in's password against its
	// hash; nil means domain.CheckPassword. Tests wrap the real one to
	// watch how many checks run at once.
	CheckPassword func(password, hash string) bool
	// Metrics counts requests and registrations; nil (METRICS_ADDR unset)
	// counts nothing.
	Metrics *metrics.Metrics
}

// Core is the state the front ends share. Each embeds it, so that a
// handler reads s.Store and answers with s.Error whichever front end it
// belongs to.
type Core struct {
	Config config.Config
	Store  *store.Store
	Rules  *domain.Rules
	Log    *slog.Logger
	Now    func() time.Time
	// CheckPassword is Deps.CheckPassword, never nil.
	CheckPassword func(password, hash string) bool
	// I18n translates pages, problems and exports.
	I18n *i18n.Bundle
	// SecureCookie is set when BASE_URL is https: cookies then carry Secure.
	SecureCookie bool
	// Metrics is Deps.Metrics; it may be nil.
	Metrics *metrics.Metrics

	messages *Pages // the page that explains an error or a refusal
	css      []byte
	cssTag   string // short content hash: the stylesheet's ETag and ?v=
	limiter  *registrationLimiter
}

// New builds the core. It fails only for a defect in the embedded files
// (messages, templates, stylesheet), which the tests catch before a
// release, so that a broken build stops at start-up and not on a request.
func New(d Deps) (*Core, error) {
	// Pages and exports name the delegations the rules accept.
	var opts []i18n.Option
	if d.Rules != nil {
		opts = append(opts, i18n.WithDelegations(d.Rules.Delegations()))
	}
	bundle, err := i18n.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("httpcore: %w", err)
	}
	c := &Core{Config: d.Config, Store: d.Store, Rules: d.Rules, Log: d.Logger, Now: d.Now, CheckPassword: d.CheckPassword,
		Metrics: d.Metrics, I18n: bundle, SecureCookie: d.Config.BaseURL != nil && d.Config.BaseURL.Scheme == "https"}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.CheckPassword == nil {
		c.CheckPassword = domain.CheckPassword
	}
	if c.css, err = fs.ReadFile(static.FS, "style.css"); err != nil {
		return nil, fmt.Errorf("httpcore: stylesheet: %w", err)
	}
	sum := sha256.Sum256(c.css)
	c.cssTag = hex.EncodeToString(sum[:6])
	if c.messages, err = c.ParsePages([]string{"message"}); err != nil {
		return nil, err
	}
	c.limiter = newRegistrationLimiter(c.Config.RegisterRateLimit, c.Config.RegisterRateWindow)
	return c, nil
}
