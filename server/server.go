// Package server assembles attend's HTTP server from its three front ends,
// the JSON API (package api), the public pages (package web) and the
// organizers' dashboard (package admin), over the core they share
// (package httpcore). routes.go declares every route in one place.
package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/admin"
	"github.com/attend/attend/api"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/web"
)

// Deps are what the server needs, the front ends' shared dependencies;
// run() builds them once.
type Deps = httpcore.Deps

// Server is attend's HTTP handler: the engine with every route, behind
// security headers and cross-origin protection.
type Server struct {
	core    *httpcore.Core
	api     *api.API
	web     *web.Web
	admin   *admin.Admin
	engine  *gin.Engine
	handler http.Handler
}

// New builds the server and its routes. It fails when the embedded page
// templates, messages or API reference are broken, a defect the tests
// catch before any release, so that a broken build stops at start-up and
// not on a request.
func New(d Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	core, err := httpcore.New(d)
	if err != nil {
		return nil, err
	}
	s := &Server{core: core}
	if s.api, err = api.New(core); err != nil {
		return nil, err
	}
	if s.web, err = web.New(core); err != nil {
		return nil, err
	}
	if s.admin, err = admin.New(core); err != nil {
		return nil, err
	}
	s.engine = gin.New()
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	core.ConfigureClientIP(s.engine)
	s.routes()
	s.handler = core.Protect(s.engine)
	return s, nil
}

// ServeHTTP makes the server an http.Handler.
//
// HEAD is answered as GET (net/http drops the body), so that link checkers
// and mail scanners that probe with HEAD see the same page, and a HEAD, like
// a GET, never changes anything.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.Clone(r.Context())
		r.Method = http.MethodGet
	}
	s.handler.ServeHTTP(w, r)
}

// Routes lists the registered routes, for tests that walk them.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }
