// Package api is attend's HTTP front: the Gin router, its middleware and the
// JSON handlers. Handlers stay thin: bind, call domain and store, render.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/config"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// Deps are what the server needs; run() builds them once.
type Deps struct {
	Config config.Config
	Store  *store.Store
	Rules  *domain.Rules
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// CheckPassword checks a sign-in's password against its hash; nil
	// means domain.CheckPassword. Tests wrap the real one to watch how
	// many checks run at once.
	CheckPassword func(password, hash string) bool
}

// Server holds the handlers' dependencies.
type Server struct {
	cfg    config.Config
	store  *store.Store
	rules  *domain.Rules
	log    *slog.Logger
	now    func() time.Time
	engine *gin.Engine
	// checkPassword is Deps.CheckPassword.
	checkPassword func(password, hash string) bool
	// web is the public pages' state (web.go); handler is the engine behind
	// security headers and cross-origin protection (security.go).
	web     *web
	handler http.Handler
	// spec is openapi.yaml as served, with BASE_URL as its server.
	spec []byte
}

// New builds the server and its routes. It panics if the embedded page
// templates, messages or API reference are broken, a defect the tests catch before any
// release, so that a broken build fails at start-up and not on a request.
func New(d Deps) *Server {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: d.Config, store: d.Store, rules: d.Rules, log: d.Logger, now: d.Now, checkPassword: d.CheckPassword}
	if s.now == nil {
		s.now = time.Now
	}
	if s.checkPassword == nil {
		s.checkPassword = domain.CheckPassword
	}
	s.engine = gin.New()
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	if err := s.initWeb(); err != nil {
		panic(err)
	}
	spec, err := servedSpec(openAPISpec, s.cfg.BaseURL)
	if err != nil {
		panic(err)
	}
	s.spec = spec
	s.routes()
	s.handler = s.protect(s.engine)
	return s
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

// routes is the one place where every route is declared.
func (s *Server) routes() {
	r := s.engine
	r.Use(withRequestID(), s.withLogging(), s.withRecovery(), s.withLimits())
	r.NoRoute(func(c *gin.Context) {
		if isAPIPath(c.Request.URL.Path) {
			s.Error(c, domain.Errorf(domain.ENotFound, "no such endpoint"))
			return
		}
		s.renderMessage(c.Writer, c.Request, http.StatusNotFound, s.browserLang(c.Writer, c.Request), "not_found", requestID(c))
		c.Abort()
	})
	r.NoMethod(func(c *gin.Context) {
		s.badRequest(c, http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			c.Request.Method+" is not supported here")
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.yaml", s.openAPI)
	v1.GET("/events", s.optionalOrganizer(), s.listEvents)
	v1.GET("/events/:slug", s.optionalOrganizer(), s.getEvent)
	v1.POST("/events/:slug/registrations", s.limitRegistrations, s.optionalOrganizer(), s.createRegistration)
	v1.POST("/registrations/confirm", noStore, s.confirmByToken)
	v1.POST("/registrations/cancel", noStore, s.cancelByToken)
	r.GET("/r/:token/data", noStore, s.personalData)

	org := v1.Group("", s.requireOrganizer())
	org.POST("/events", s.createEvent)
	org.PATCH("/events/:slug", s.updateEvent)
	org.GET("/events/:slug/registrations", s.listRegistrations)
	org.GET("/events/:slug/registrations/:id", s.getRegistration)
	org.POST("/events/:slug/registrations/:id/cancel", s.cancelRegistration)
	org.POST("/events/:slug/registrations/:id/promote", s.promoteRegistration)
	org.DELETE("/events/:slug/registrations/:id", s.eraseRegistration)
	org.GET("/events/:slug/emails", s.listEmails)
	org.POST("/events/:slug/emails/:id/retry", s.retryEmail)
	org.GET("/me", s.me)

	// Attendance, statistics and exports
	org.POST("/events/:slug/checkins", s.createCheckin)
	org.DELETE("/events/:slug/checkins/:registration_id/:day", s.deleteCheckin)
	org.GET("/events/:slug/stats", s.eventStats)
	org.GET("/events/:slug/registrations/export", s.exportRegistrations)

	// Public web pages (HTML, web*.go). The registration form shares the
	// API's rate limit; every POST is behind cross-origin protection.
	r.GET("/", s.webIndex)
	r.GET("/static/style.css", s.webStylesheet)
	r.GET("/privacy", s.webPrivacy)
	r.GET("/events/:slug", s.webEvent)
	r.GET("/events/:slug/register", s.webRegisterPage)
	r.POST("/events/:slug/register", s.limitRegistrations, s.webRegister)
	r.GET("/events/:slug/thanks", s.webThanks)
	r.GET("/r/:token", s.webLink)
	r.GET("/r/:token/confirm", s.webLinkActionPage("confirm"))
	r.GET("/r/:token/cancel", s.webLinkActionPage("cancel"))
	r.POST("/r/:token/confirm", s.webLinkConfirm)
	r.POST("/r/:token/cancel", s.webLinkCancel)

	// Organizer dashboard (HTML, admin*.go): signed in with a password and
	// a session cookie; every change is a POST behind cross-origin
	// protection, answered with a redirect (303) back to a page.
	r.GET("/admin/login", s.adminLoginPage)
	r.POST("/admin/login", s.adminLogin(s.newLoginGuard()))
	r.POST("/admin/logout", s.adminLogout)
	adm := r.Group("/admin", s.requireSession())
	adm.GET("", s.adminEvents)
	adm.GET("/events/:slug", s.adminEvent)
	adm.GET("/events/:slug/export", s.adminExport)
	adm.POST("/events/:slug/registrations/:id/cancel", s.adminCancel)
	adm.POST("/events/:slug/registrations/:id/promote", s.adminPromote)
	adm.POST("/events/:slug/emails/:id/retry", s.adminRetryEmail)
	adm.GET("/events/:slug/checkin", s.adminDoor)
	adm.POST("/events/:slug/checkin", s.adminCheckIn)
}

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz answers 503 while the database is unreachable, so a load balancer
// stops sending traffic to this process.
func (s *Server) readyz(c *gin.Context) {
	if err := s.store.Ping(c.Request.Context()); err != nil {
		c.Header("Retry-After", "5")
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "unreachable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ok", "database": "ok"})
}

func (s *Server) me(c *gin.Context) {
	c.JSON(http.StatusOK, organizer(c))
}
