package admin

import (
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
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
func (s *Admin) sessionCookie() string {
	if s.SecureCookie {
		return "__Host-attend_session"
	}
	return "attend_session"
}

func (s *Admin) setSessionCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
}

// startSession signs organizer orgID in after a password or an invitation
// proved who they are: a new session, its cookie and a redirect to next.
// logMsg says in the log which of the two it was.
func (s *Admin) startSession(c *gin.Context, lang string, orgID int64, logMsg, next string) {
	ctx := c.Request.Context()
	token, tokenHash, err := domain.NewToken()
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if err := s.Store.CreateSession(ctx, orgID, tokenHash, sessionTTL); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	s.Log.InfoContext(ctx, logMsg, slog.String("request_id", httpcore.RequestID(c)),
		slog.Int64("organizer_id", orgID))
	s.setSessionCookie(c.Writer, token, int(sessionTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, next)
}

// sessionOrganizer authenticates the request's session cookie. A missing,
// malformed, unknown or expired session is EUnauthorized.
func (s *Admin) sessionOrganizer(c *gin.Context) (*domain.Organizer, error) {
	ck, err := c.Request.Cookie(s.sessionCookie())
	if err != nil || !domain.ValidTokenSyntax(ck.Value) {
		return nil, domain.ErrUnauthorized
	}
	return s.Store.OrganizerBySession(c.Request.Context(), domain.HashToken(ck.Value))
}

// RequireSession lets only signed-in organizers through; anyone else is
// sent (303) to the sign-in page, which brings them back afterwards.
func (s *Admin) RequireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		o, err := s.sessionOrganizer(c)
		if err == nil {
			httpcore.SetOrganizer(c, o)
			c.Header("X-Robots-Tag", "noindex")
			c.Next()
			return
		}
		if domain.ErrorCode(err) != domain.EUnauthorized {
			s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "not_found")
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

// loginPage is the sign-in form.
type loginPage struct {
	Email  string
	Next   string
	Error  string // why the last attempt failed
	Notice string // signed out, or sent here to sign in
}

// LoginPage shows the sign-in form; a signed-in organizer goes
// straight on.
func (s *Admin) LoginPage(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	next := safeNext(c.Query("next"))
	if _, err := s.sessionOrganizer(c); err == nil {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	v := s.NewView(c.Request, lang, "")
	var p loginPage
	switch {
	case c.Query("done") == "signed_out":
		p.Notice = v.T("admin.login.signed_out")
	case c.Query("next") != "":
		p.Notice = v.T("admin.login.required")
	}
	s.renderLogin(c, http.StatusOK, v, p, next)
}

func (s *Admin) renderLogin(c *gin.Context, status int, v httpcore.View, p loginPage, next string) {
	v.Title = v.T("admin.login.title")
	v.Error = p.Error != ""
	p.Next = next
	v.Page = p
	c.Header("X-Robots-Tag", "noindex")
	s.pages.Render(c, status, "admin_login", v)
}

// Login checks an email and password. A wrong password, an unknown
// email and an account without a password get the same answer after the
// same Argon2id work (domain.CheckPassword), so the form cannot be used to
// find out who has an account. The guard (login_guard.go) limits, slows
// and bounds the checks.
func (s *Admin) Login(c *gin.Context) {
	guard := s.guard
	lang := s.BrowserLang(c.Writer, c.Request)
	if !s.ParseForm(c, lang) {
		return
	}
	ctx := c.Request.Context()
	v := s.NewView(c.Request, lang, "/admin/login")
	email := strings.TrimSpace(c.PostForm("email"))
	next := safeNext(c.PostForm("next"))
	p := loginPage{Email: email}
	attempt, ok := guard.admit(s.ClientKey(c), email)
	if !ok {
		c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(guard.window.Seconds())))))
		p.Error = v.N("admin.login.rate_limited", max(1, int(math.Ceil(guard.window.Minutes()))))
		s.Log.WarnContext(ctx, "sign-in rate limited", slog.String("request_id", httpcore.RequestID(c)))
		s.renderLogin(c, http.StatusTooManyRequests, v, p, next)
		return
	}
	delay, err := attempt.slowDown(ctx)
	if err != nil {
		attempt.undo()
		s.loginBusy(c, v, p, next, guard, err)
		return
	}
	if delay > 0 {
		s.Log.InfoContext(ctx, "sign-in slowed down", slog.String("request_id", httpcore.RequestID(c)),
			slog.Duration("delay", delay))
	}
	var (
		org  *domain.Organizer
		hash string
	)
	if len(email) <= 254 {
		org, hash, err = s.Store.PasswordHash(ctx, email)
		if err != nil && domain.ErrorCode(err) != domain.ENotFound {
			attempt.undo()
			s.PageError(c, lang, err, "not_found")
			return
		}
	}
	ok, err = attempt.check(ctx, c.PostForm("password"), hash)
	if err != nil {
		attempt.undo()
		s.loginBusy(c, v, p, next, guard, err)
		return
	}
	if !ok || org == nil {
		attempt.failed()
		s.Log.InfoContext(ctx, "sign-in failed", slog.String("request_id", httpcore.RequestID(c)))
		p.Error = v.T("admin.login.failed")
		s.renderLogin(c, http.StatusUnprocessableEntity, v, p, next)
		return
	}
	attempt.undo()
	s.startSession(c, lang, org.ID, "signed in", next)
}

// loginBusy answers a sign-in that could not wait for its check: 503 with
// Retry-After and the form again, or nothing when the client has gone.
func (s *Admin) loginBusy(c *gin.Context, v httpcore.View, p loginPage, next string, guard *loginGuard, err error) {
	if s.ClientGone(c, err) {
		return
	}
	s.Log.WarnContext(c.Request.Context(), "sign-in refused: password checks busy", slog.String("request_id", httpcore.RequestID(c)),
		slog.Any("error", err))
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(guard.slotWait.Seconds())))))
	p.Error = v.T("admin.login.busy")
	s.renderLogin(c, http.StatusServiceUnavailable, v, p, next)
}

// Logout ends the session, in the database and in the browser.
func (s *Admin) Logout(c *gin.Context) {
	if ck, err := c.Request.Cookie(s.sessionCookie()); err == nil && domain.ValidTokenSyntax(ck.Value) {
		if err := s.Store.DeleteSession(c.Request.Context(), domain.HashToken(ck.Value)); err != nil {
			s.PageError(c, s.BrowserLang(c.Writer, c.Request), err, "not_found")
			return
		}
	}
	s.setSessionCookie(c.Writer, "", -1)
	c.Redirect(http.StatusSeeOther, "/admin/login?done=signed_out")
}
