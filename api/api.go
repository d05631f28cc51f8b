// Package api is attend's JSON API under /api/v1, described by
// openapi.yaml, which it serves: events, registrations, check-ins,
// statistics, exports and emails for organizers with a token, and
// registration and the emailed links' actions for participants. Handlers
// stay thin: decode, call domain and store, answer; errors become problem
// details through httpcore, which the public pages (package web) and the
// dashboard (package admin) share. Package server declares the routes.
package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/templates"
)

// API holds the JSON handlers' dependencies: the shared core, and the
// reference as served.
type API struct {
	*httpcore.Core
	// spec is openapi.yaml as served, with BASE_URL as its server.
	spec []byte
	// renderer shows an organizer's message as a participant will get it.
	renderer *notify.Renderer
}

// New builds the JSON API over core. It fails only when the embedded
// reference is broken, which the tests catch before a release.
func New(core *httpcore.Core) (*API, error) {
	spec, err := servedSpec(openAPISpec, core.Config.BaseURL)
	if err != nil {
		return nil, err
	}
	renderer, err := notify.NewRendererWith(templates.FS, core.I18n)
	if err != nil {
		return nil, err
	}
	return &API{Core: core, spec: spec, renderer: renderer}, nil
}

// Healthz answers while the process is up.
func (s *API) Healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Readyz answers 503 while the database is unreachable, so a load balancer
// stops sending traffic to this process.
func (s *API) Readyz(c *gin.Context) {
	if err := s.Store.Ping(c.Request.Context()); err != nil {
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "ok"})
}

// Me shows the organizer the token belongs to.
func (s *API) Me(c *gin.Context) {
	c.JSON(http.StatusOK, httpcore.Organizer(c))
}
