package api

import (
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/httprate"

	"github.com/attend/attend/domain"
)

// Organizers sign in to the dashboard with their email and password. A
// session is a random 256-bit token in a cookie; only its SHA-256 is stored,
// so a database dump holds no working session. Sessions end after
// sessionTTL, at logout, and when the password changes (store.SetPassword).

// sessionTTL is how long a dashboard session lasts: a working day at the
// registration desk, not longer.
const sessionTTL = 12 * time.Hour

// sessionCookie is the session cookie's name. Over HTTPS it carries the
// __Host- prefix, which makes browsers insist on Secure, Path=/ and no
// Domain, so no subdomain can plant or overwrite it; browsers refuse that
// prefix without Secure, so plain-HTTP development uses the bare name.
func (s *Server) sessionCookie() string {
	if s.web.secureCookie {
		return "__Host-attend_session"
	}
	return "attend_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.web.secureCookie, SameSite: http.SameSiteLaxMode})
}

// sessionOrganizer authenticates the request's session cookie. A missing,
// malformed, unknown or expired session is EUnauthorized.
func (s *Server) sessionOrganizer(c *gin.Context) (*domain.Organizer, error) {
	ck, err := c.Request.Cookie(s.sessionCookie())
	if err != nil || !domain.ValidTokenSyntax(ck.Value) {
		return nil, domain.ErrUnauthorized
	}
	return s.store.OrganizerBySession(c.Request.Context(), domain.HashToken(ck.Value))
}

// requireSession lets only signed-in organizers through; anyone else is
// sent (303) to the sign-in page, which brings them back afterwards.
func (s *Server) requireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		o, err := s.sessionOrganizer(c)
		if err == nil {
			c.Set(ctxOrganizer, o)
			c.Header("X-Robots-Tag", "noindex")
			c.Next()
			return
		}
		if domain.ErrorCode(err) != domain.EUnauthorized {
			s.webError(c, s.browserLang(c.Writer, c.Request), err, "not_found")
			return
		}
		if _, err := c.Request.Cookie(s.sessionCookie()); err == nil {
			s.setSessionCookie(c.Writer, "", -1) // expired or revoked: forget it
		}
		// After signing in, a GET comes back to where it was; a form's
		// target is not a page, so a POST comes back to the page it was on.
		next := c.Request.URL.RequestURI()
		if c.Request.Method != http.MethodGet {
			next = "/admin"
			if slug := c.Param("slug"); slug != "" {
				next = eventAdminPath(slug)
			}
		}
		c.Redirect(http.StatusSeeOther, "/admin/login?"+url.Values{"next": {next}}.Encode())
		c.Abort()
	}
}

// safeNext returns where to go after signing in: next when it is a path of
// the dashboard on this site, /admin otherwise. Absolute and
// scheme-relative URLs ("//evil.example", "/\evil.example") are refused, so
// the sign-in page cannot be used to send people to another site.
func safeNext(next string) string {
	const home = "/admin"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return home
	}
	if (u.Path != home && !strings.HasPrefix(u.Path, home+"/")) || strings.Contains(u.Path, "/..") {
		return home
	}
	return u.RequestURI()
}

// loginLimiter caps sign-in attempts per client IP and, separately, per
// account (the email typed, whether or not such an account exists, so the
// answer reveals nothing). Counters live in memory in sliding windows, as
// for registrationLimiter; no headers tell how many attempts are left.
type loginLimiter struct {
	ip, account *httprate.RateLimiter
	window      time.Duration
}

func newLoginLimiter(limit int, window time.Duration) *loginLimiter {
	if limit <= 0 {
		limit = 5
	}
	if window <= 0 {
		window = 15 * time.Minute
	}
	quiet := httprate.WithResponseHeaders(httprate.ResponseHeaders{})
	return &loginLimiter{
		ip:      httprate.NewRateLimiter(limit, window, quiet),
		account: httprate.NewRateLimiter(limit, window, quiet),
		window:  window,
	}
}

// allow counts one attempt of the client on the account and reports
// whether it may go ahead.
func (l *loginLimiter) allow(c *gin.Context, email string) bool {
	if l.ip.OnLimit(c.Writer, c.Request, httprate.CanonicalizeIP(c.ClientIP())) {
		return false
	}
	account := strings.ToLower(email)
	if len(account) > 320 {
		account = account[:320]
	}
	return !l.account.OnLimit(c.Writer, c.Request, account)
}

// loginPage is the sign-in form.
type loginPage struct {
	Email  string
	Next   string
	Error  string // why the last attempt failed
	Notice string // signed out, or sent here to sign in
}

// adminLoginPage shows the sign-in form; a signed-in organizer goes
// straight on.
func (s *Server) adminLoginPage(c *gin.Context) {
	lang := s.browserLang(c.Writer, c.Request)
	next := safeNext(c.Query("next"))
	if _, err := s.sessionOrganizer(c); err == nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	v := s.newView(c.Request, lang, "")
	var p loginPage
	switch {
	case c.Query("done") == "signed_out":
		p.Notice = v.T("admin.login.signed_out")
	case c.Query("next") != "":
		p.Notice = v.T("admin.login.required")
	}
	s.renderLogin(c, http.StatusOK, v, p, next)
}

func (s *Server) renderLogin(c *gin.Context, status int, v view, p loginPage, next string) {
	v.Title = v.T("admin.login.title")
	v.Error = p.Error != ""
	p.Next = next
	v.Page = p
	c.Header("X-Robots-Tag", "noindex")
	s.renderGin(c, status, "admin_login", v)
}

// adminLogin checks an email and password. A wrong password, an unknown
// email and an account without a password get the same answer after the
// same Argon2id work (domain.CheckPassword), so the form cannot be used to
// find out who has an account.
func (s *Server) adminLogin(limiter *loginLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := s.browserLang(c.Writer, c.Request)
		if !s.parseForm(c, lang) {
			return
		}
		v := s.newView(c.Request, lang, "/admin/login")
		email := strings.TrimSpace(c.PostForm("email"))
		next := safeNext(c.PostForm("next"))
		p := loginPage{Email: email}
		if !limiter.allow(c, email) {
			minutes := max(1, int(math.Ceil(limiter.window.Minutes())))
			c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(limiter.window.Seconds())))))
			p.Error = v.N("admin.login.rate_limited", minutes)
			s.log.WarnContext(c.Request.Context(), "sign-in rate limited", slog.String("request_id", requestID(c)))
			s.renderLogin(c, http.StatusTooManyRequests, v, p, next)
			return
		}
		var (
			org  *domain.Organizer
			hash string
		)
		if len(email) <= 254 {
			var err error
			org, hash, err = s.store.PasswordHash(c.Request.Context(), email)
			if err != nil && domain.ErrorCode(err) != domain.ENotFound {
				s.webError(c, lang, err, "not_found")
				return
			}
		}
		if !domain.CheckPassword(c.PostForm("password"), hash) || org == nil {
			s.log.InfoContext(c.Request.Context(), "sign-in failed", slog.String("request_id", requestID(c)))
			p.Error = v.T("admin.login.failed")
			s.renderLogin(c, http.StatusUnprocessableEntity, v, p, next)
			return
		}
		token, tokenHash, err := domain.NewToken()
		if err != nil {
			s.webError(c, lang, err, "not_found")
			return
		}
		if err := s.store.CreateSession(c.Request.Context(), org.ID, tokenHash, sessionTTL); err != nil {
			s.webError(c, lang, err, "not_found")
			return
		}
		s.log.InfoContext(c.Request.Context(), "signed in", slog.String("request_id", requestID(c)),
			slog.Int64("organizer_id", org.ID))
		s.setSessionCookie(c.Writer, token, int(sessionTTL.Seconds()))
		c.Redirect(http.StatusSeeOther, next)
	}
}

// adminLogout ends the session, in the database and in the browser.
func (s *Server) adminLogout(c *gin.Context) {
	if ck, err := c.Request.Cookie(s.sessionCookie()); err == nil && domain.ValidTokenSyntax(ck.Value) {
		if err := s.store.DeleteSession(c.Request.Context(), domain.HashToken(ck.Value)); err != nil {
			s.webError(c, s.browserLang(c.Writer, c.Request), err, "not_found")
			return
		}
	}
	s.setSessionCookie(c.Writer, "", -1)
	c.Redirect(http.StatusSeeOther, "/admin/login?done=signed_out")
}
