package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/static"
	"github.com/attend/attend/templates"
)

// webPages are the page templates under templates/web. Each is parsed once,
// at start-up, together with the layout and the shared partials; a missing
// or broken file stops New.
var webPages = []string{"index", "event", "thanks", "privacy", "link", "message",
	"admin_login", "admin_events", "admin_event", "admin_checkin"}

// pageFiles are the files page name is parsed from: the layout, the shared
// partials, the organizer dashboard's own partials for its pages (admin_*),
// and the page itself.
func pageFiles(name string) []string {
	files := []string{"web/layout.html.tmpl", "web/partials.html.tmpl"}
	if strings.HasPrefix(name, "admin_") {
		files = append(files, "web/admin_partials.html.tmpl")
	}
	return append(files, "web/"+name+".html.tmpl")
}

// langCookie remembers a language chosen with ?lang=.
const langCookie = "lang"

// web is the state of the public pages: templates, translations, the
// stylesheet, and the registration rate limiter shared with the JSON API.
type web struct {
	pages        map[string]*template.Template
	i18n         *i18n.Bundle
	css          []byte
	cssTag       string // short content hash: the stylesheet's ETag and ?v=
	limiter      *registrationLimiter
	secureCookie bool
}

// initWeb loads everything the pages need. It fails only for a defect in
// the embedded files, which the package's tests catch before a release.
func (s *Server) initWeb() error {
	bundle, err := i18n.New()
	if err != nil {
		return err
	}
	w := &web{pages: map[string]*template.Template{}, i18n: bundle,
		secureCookie: s.cfg.BaseURL != nil && s.cfg.BaseURL.Scheme == "https"}
	for _, name := range webPages {
		t, err := template.New("layout.html.tmpl").ParseFS(templates.FS, pageFiles(name)...)
		if err != nil {
			return fmt.Errorf("api: parse page %s: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return fmt.Errorf("api: page %s does not define both layout and content", name)
		}
		w.pages[name] = t
	}
	if w.css, err = fs.ReadFile(static.FS, "style.css"); err != nil {
		return fmt.Errorf("api: stylesheet: %w", err)
	}
	sum := sha256.Sum256(w.css)
	w.cssTag = hex.EncodeToString(sum[:6])
	w.limiter = newRegistrationLimiter(s.cfg.RegisterRateLimit, s.cfg.RegisterRateWindow)
	s.web = w
	s.configureClientIP()
	return nil
}

// view is what every page template gets. Page-specific data is in Page;
// T and N translate from templates: {{.T "form.submit"}},
// {{.T "event.open_until" "Date" $d}}, {{.N "event.seats_left" 3}}.
type view struct {
	L          *i18n.Localizer
	Lang       string
	Title      string // the page's own title, already translated
	Error      bool   // the page reports an error: its <title> says so
	Langs      []langLink
	Stylesheet string
	RequestID  string
	// Self is the page's own path, without the query, for links to what
	// lies below it (the personal page's /data download).
	Self string
	Page any
}

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// T translates id; args are name/value pairs for the message's data.
func (v view) T(id string, args ...any) string { return v.L.T(id, pairs(args)) }

// N translates a message with plural forms chosen by n.
func (v view) N(id string, n int, args ...any) string { return v.L.Plural(id, n, pairs(args)) }

func pairs(args []any) map[string]any {
	if len(args) == 0 {
		return nil
	}
	m := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if k, ok := args[i].(string); ok {
			m[k] = args[i+1]
		}
	}
	return m
}

// pageLang decides the language of a page: ?lang= (remembered in a cookie),
// then the cookie, then fallback, which is the Accept-Language header for
// most pages and a registration's own language for its personal page.
func (s *Server) pageLang(w http.ResponseWriter, r *http.Request, fallback string) string {
	if lang, ok := i18n.Match(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.web.secureCookie, SameSite: http.SameSiteLaxMode})
		return lang
	}
	cookie := ""
	if ck, err := r.Cookie(langCookie); err == nil {
		cookie = ck.Value
	}
	return i18n.Negotiate("", cookie, fallback)
}

// browserLang is pageLang with the browser's preference as the fallback.
func (s *Server) browserLang(w http.ResponseWriter, r *http.Request) string {
	return s.pageLang(w, r, r.Header.Get("Accept-Language"))
}

// newView prepares the common part of a page in lang. The language switcher
// links to path (the request's own path when empty) with the current query
// and another ?lang=.
func (s *Server) newView(r *http.Request, lang, path string) view {
	l := s.web.i18n.Localizer(lang)
	u := *r.URL
	if path != "" {
		u.Path, u.RawPath, u.RawQuery = path, "", ""
	}
	v := view{L: l, Lang: lang, Stylesheet: "/static/style.css?v=" + s.web.cssTag, Self: r.URL.Path}
	for _, code := range i18n.Supported {
		q := u.Query()
		q.Set("lang", code)
		link := url.URL{Path: u.Path, RawQuery: q.Encode()}
		v.Langs = append(v.Langs, langLink{Code: code, Name: l.LanguageName(code), Href: link.String(), Current: code == lang})
	}
	return v
}

// render writes page name with status. Pages are rendered into a buffer
// first, so a template error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) {
	var buf bytes.Buffer
	if err := s.web.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		s.log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("request_id", v.RequestID),
			slog.Any("error", err))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.Lang)
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client may be gone; nothing to do about it
}

// renderGin is render for a Gin handler; it also stops the handler chain.
func (s *Server) renderGin(c *gin.Context, status int, name string, v view) {
	v.RequestID = requestID(c)
	s.render(c.Writer, c.Request, status, name, v)
	c.Abort()
}

// messagePage is a page that explains one thing: an error, a refusal.
type messagePage struct {
	Body      string
	Reference string // request id to quote, for internal errors
	Back      string // link target, "/" by default
	BackText  string
}

// renderMessage shows a titled explanation with status, in lang.
func (s *Server) renderMessage(w http.ResponseWriter, r *http.Request, status int, lang, kind, reqID string) {
	v := s.newView(r, lang, "")
	v.RequestID = reqID
	v.Title = v.T("errpage." + kind + ".title")
	v.Error = status >= 400
	p := messagePage{Body: v.T("errpage." + kind + ".body"), Back: "/?lang=" + lang, BackText: v.T("errpage.home")}
	if status >= 500 && reqID != "" {
		p.Reference = v.T("errpage.reference", "ID", reqID)
	}
	v.Page = p
	s.render(w, r, status, "message", v)
}

// webError shows err as a page: its domain code decides status and text,
// as s.Error does for the API; internal errors are logged, never shown.
// notFound names the page for ENotFound (a missing event and a bad link
// deserve different words).
func (s *Server) webError(c *gin.Context, lang string, err error, notFound string) {
	if s.clientGone(c, err) {
		return
	}
	status, kind := http.StatusInternalServerError, "internal"
	switch domain.ErrorCode(err) {
	case domain.ENotFound:
		status, kind = http.StatusNotFound, notFound
	case domain.EGone:
		status, kind = http.StatusGone, "link_gone"
	case domain.EConflict:
		status, kind = http.StatusConflict, "conflict"
	case domain.EUnavailable:
		status, kind = http.StatusServiceUnavailable, "unavailable"
		c.Header("Retry-After", "5")
		s.log.WarnContext(c.Request.Context(), "unavailable", slog.String("request_id", requestID(c)), slog.Any("error", err))
	default:
		s.log.ErrorContext(c.Request.Context(), "internal error", slog.String("request_id", requestID(c)),
			slog.String("route", c.FullPath()), slog.Any("error", err))
	}
	s.renderMessage(c.Writer, c.Request, status, lang, kind, requestID(c))
	c.Abort()
}

// parseForm reads a form body, answering 413 or 400 itself when it cannot.
func (s *Server) parseForm(c *gin.Context, lang string) bool {
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		err = c.Request.ParseMultipartForm(s.cfg.MaxBodyBytes)
	} else {
		err = c.Request.ParseForm()
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.renderMessage(c.Writer, c.Request, http.StatusRequestEntityTooLarge, lang, "too_large", requestID(c))
	} else {
		s.renderMessage(c.Writer, c.Request, http.StatusBadRequest, lang, "bad_request", requestID(c))
	}
	c.Abort()
	return false
}

// localTime formats an instant in the event's time zone for people: its
// date in lang, its clock time and the UTC offset.
func localTime(lang string, ev *domain.Event, t time.Time) (date, clock, zone string) {
	lt := t.In(ev.Location())
	return i18n.FormatDate(lang, lt), lt.Format("15:04"), utcOffset(lt)
}

// utcOffset writes a time's zone as "UTC+05:00", which readers in every
// country understand, unlike zone abbreviations.
func utcOffset(t time.Time) string {
	return "UTC" + t.Format("-07:00")
}

// webStylesheet serves the one stylesheet. Pages link it with ?v=<hash>,
// so a release's stylesheet can be cached for a year.
func (s *Server) webStylesheet(c *gin.Context) {
	etag := `"` + s.web.cssTag + `"`
	c.Header("ETag", etag)
	if c.Query("v") == s.web.cssTag {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=3600")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/css; charset=utf-8", s.web.css)
}
