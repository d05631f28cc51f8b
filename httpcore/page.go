package httpcore

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/templates"
)

// Pages are page templates under templates/web, each parsed once, at
// start-up, together with the layout and the shared partials. Each front
// end parses its own; a missing or broken file stops New.
type Pages struct {
	core *Core
	t    map[string]*template.Template
}

// ParsePages parses the named pages (templates/web/<name>.html.tmpl), each
// with the layout, the shared partials and the extra partial files given
// (paths under templates, such as the dashboard's own partials).
func (c *Core) ParsePages(names []string, partials ...string) (*Pages, error) {
	p := &Pages{core: c, t: map[string]*template.Template{}}
	for _, name := range names {
		files := append([]string{"web/layout.html.tmpl", "web/partials.html.tmpl"}, partials...)
		t, err := template.New("layout.html.tmpl").ParseFS(templates.FS, append(files, "web/"+name+".html.tmpl")...)
		if err != nil {
			return nil, fmt.Errorf("httpcore: parse page %s: %w", name, err)
		}
		if t.Lookup("layout") == nil || t.Lookup("content") == nil {
			return nil, fmt.Errorf("httpcore: page %s does not define both layout and content", name)
		}
		p.t[name] = t
	}
	return p, nil
}

// View is what every page template gets. Page-specific data is in Page;
// T and N translate from templates: {{.T "form.submit"}},
// {{.T "event.open_until" "Date" $d}}, {{.N "event.seats_left" 3}}.
type View struct {
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
func (v View) T(id string, args ...any) string { return v.L.T(id, pairs(args)) }

// N translates a message with plural forms chosen by n.
func (v View) N(id string, n int, args ...any) string { return v.L.Plural(id, n, pairs(args)) }

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

// NewView prepares the common part of a page in lang. The language switcher
// links to path (the request's own path when empty) with the current query
// and another ?lang=.
func (s *Core) NewView(r *http.Request, lang, path string) View {
	l := s.I18n.Localizer(lang)
	u := *r.URL
	if path != "" {
		u.Path, u.RawPath, u.RawQuery = path, "", ""
	}
	v := View{L: l, Lang: lang, Stylesheet: "/static/style.css?v=" + s.cssTag, Self: r.URL.Path}
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
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, name string, v View) {
	var buf bytes.Buffer
	if err := p.t[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		p.core.Log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("request_id", v.RequestID),
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

// Render writes page name with status for a Gin handler, and stops the
// handler chain.
func (p *Pages) Render(c *gin.Context, status int, name string, v View) {
	v.RequestID = RequestID(c)
	p.render(c.Writer, c.Request, status, name, v)
	c.Abort()
}

// messagePage is a page that explains one thing: an error, a refusal.
type messagePage struct {
	Body      string
	Reference string // request id to quote, for internal errors
	Back      string // link target, "/" by default
	BackText  string
}

// RenderMessage shows a titled explanation with status, in lang: the
// messages errpage.<kind>.title and .body.
func (s *Core) RenderMessage(w http.ResponseWriter, r *http.Request, status int, lang, kind, reqID string) {
	s.renderMessage(w, r, status, lang, kind, reqID, nil)
}

// renderMessage is RenderMessage whose body, errpage.<kind>.body, may
// take template data (nil: none).
func (s *Core) renderMessage(w http.ResponseWriter, r *http.Request, status int, lang, kind, reqID string, data map[string]any) {
	v := s.NewView(r, lang, "")
	v.RequestID = reqID
	v.Title = v.T("errpage." + kind + ".title")
	v.Error = status >= 400
	var args []any
	for k, d := range data {
		args = append(args, k, d)
	}
	p := messagePage{Body: v.T("errpage."+kind+".body", args...), Back: "/?lang=" + lang, BackText: v.T("errpage.home")}
	if status >= 500 && reqID != "" {
		p.Reference = v.T("errpage.reference", "ID", reqID)
	}
	v.Page = p
	s.messages.render(w, r, status, "message", v)
}

// Message is RenderMessage for a Gin handler; it also stops the handler
// chain.
func (s *Core) Message(c *gin.Context, status int, lang, kind string) {
	s.RenderMessage(c.Writer, c.Request, status, lang, kind, RequestID(c))
	c.Abort()
}

// ParseForm reads a form body, answering 413 or 400 itself when it cannot,
// and 422 when a name or a value holds bytes that are not UTF-8.
func (s *Core) ParseForm(c *gin.Context, lang string) bool {
	var err error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		err = c.Request.ParseMultipartForm(s.Config.MaxBodyBytes)
	} else {
		err = c.Request.ParseForm()
	}
	field, bad := formInvalidUTF8(c.Request.PostForm)
	if err == nil && !bad {
		return true
	}
	var tooBig *http.MaxBytesError
	if err == nil {
		// Browsers send forms as UTF-8: other bytes were crafted, and
		// storing them (or showing them back in the form) would be wrong,
		// so the form is refused as a whole, showing none of it.
		if field != "" {
			s.renderMessage(c.Writer, c.Request, http.StatusUnprocessableEntity, lang, "bad_encoding_field", RequestID(c), map[string]any{"Field": field})
			c.Abort()
		} else {
			s.Message(c, http.StatusUnprocessableEntity, lang, "bad_encoding")
		}
	} else if errors.As(err, &tooBig) {
		s.Message(c, http.StatusRequestEntityTooLarge, lang, "too_large")
	} else {
		s.Message(c, http.StatusBadRequest, lang, "bad_request")
	}
	return false
}

// LocalTime formats an instant in the event's time zone for people: its
// date in lang, its clock time and the UTC offset.
func LocalTime(lang string, ev *domain.Event, t time.Time) (date, clock, zone string) {
	lt := t.In(ev.Location())
	return i18n.FormatDate(lang, lt), lt.Format("15:04"), utcOffset(lt)
}

// utcOffset writes a time's zone as "UTC+05:00", which readers in every
// country understand, unlike zone abbreviations.
func utcOffset(t time.Time) string {
	return "UTC" + t.Format("-07:00")
}

// Stylesheet serves the one stylesheet, shared by every page. Pages link
// it with ?v=<hash>, so a release's stylesheet can be cached for a year.
func (s *Core) Stylesheet(c *gin.Context) {
	etag := `"` + s.cssTag + `"`
	c.Header("ETag", etag)
	if c.Query("v") == s.cssTag {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=3600")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/css; charset=utf-8", s.css)
}

// formInvalidUTF8 reports whether a form's names or values hold bytes that
// are not UTF-8, and names the first field (in sorted order) whose value
// does; "" when only a name does, as a name that is not text cannot be
// shown.
func formInvalidUTF8(form url.Values) (field string, bad bool) {
	for _, k := range slices.Sorted(maps.Keys(form)) {
		if !utf8.ValidString(k) {
			bad = true
			continue
		}
		for _, v := range form[k] {
			if !utf8.ValidString(v) {
				return k, true
			}
		}
	}
	return "", bad
}
