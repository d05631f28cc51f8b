package servertest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/seal"
)

// Page GETs path with optional headers ("Accept-Language", "ru") and
// parses the HTML answer.
func (a *Server) Page(path string, headers ...string) (*httptest.ResponseRecorder, *Doc) {
	a.T.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Add(headers[i], headers[i+1])
	}
	rec := a.Do(Request{Method: http.MethodGet, Path: path, Header: h})
	return rec, ParseHTML(a.T, rec)
}

// Submit POSTs a form as a browser on the same site would.
func (a *Server) Submit(path string, form url.Values, headers ...string) (*httptest.ResponseRecorder, *Doc) {
	a.T.Helper()
	h := http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	rec := a.Do(Request{Method: http.MethodPost, Path: path, Body: form.Encode(),
		ContentType: "application/x-www-form-urlencoded", Header: h})
	return rec, ParseHTML(a.T, rec)
}

// ValidForm is a complete, valid registration form.
func ValidForm(email string) url.Values {
	return url.Values{
		"first_name":   {"Kadri"},
		"last_name":    {"Tamm"},
		"email":        {email},
		"country":      {"EE"},
		"organization": {"Information System Authority"},
		"position":     {"Adviser"},
		"role":         {"expert"},
		"consent":      {"yes"},
	}
}

// Stored is a registration row as the tests read it back.
type Stored struct {
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	Email     string `db:"email"`
	Language  string `db:"language"`
	Status    string `db:"status"`
	Days      string `db:"days"`
}

// Registrations reads every stored registration, oldest first.
func (a *Server) Registrations() []Stored {
	a.T.Helper()
	var out []Stored
	if err := a.DB.Select(&out, `SELECT first_name, last_name, email, language, status, days::text AS days
		FROM registrations ORDER BY created_at, id`); err != nil {
		a.T.Fatal(err)
	}
	return out
}

// LinkToken registers email for the event through the form and returns the
// token of the link the confirmation email carries.
func (a *Server) LinkToken(slug, email, lang string) string {
	a.T.Helper()
	form := ValidForm(email)
	form.Set("language", lang)
	rec, _ := a.Submit("/events/"+slug+"/register", form)
	if rec.Code != http.StatusSeeOther {
		a.T.Fatalf("register: status %d\n%s", rec.Code, rec.Body)
	}
	ctx := context.Background()
	ev, err := a.Store.PublishedEvent(ctx, slug)
	if err != nil {
		a.T.Fatal(err)
	}
	emails, err := a.Store.EventEmails(ctx, ev.ID, "", 100)
	if err != nil {
		a.T.Fatal(err)
	}
	sealer, err := seal.New([]byte(TestSecret))
	if err != nil {
		a.T.Fatal(err)
	}
	for _, e := range emails {
		if strings.EqualFold(e.Recipient, email) && e.Payload.SealedToken != "" {
			token, err := sealer.Open(e.Payload.SealedToken)
			if err != nil {
				a.T.Fatal(err)
			}
			if !domain.ValidTokenSyntax(token) {
				a.T.Fatalf("the email's token %q is malformed", token)
			}
			return token
		}
	}
	a.T.Fatalf("no email with a link to %s", email)
	return ""
}

// Doc is a parsed HTML page with the few queries the tests need.
type Doc struct {
	T    *testing.T
	Root *html.Node
}

// ParseHTML parses an HTML answer; an answer of another type gives an empty Doc.
func ParseHTML(t *testing.T, rec *httptest.ResponseRecorder) *Doc {
	t.Helper()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		return &Doc{T: t}
	}
	root, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("the page is not HTML: %v", err)
	}
	return &Doc{T: t, Root: root}
}

// Walk returns the first element, in document order, for which fn reports true.
func (d *Doc) Walk(fn func(*html.Node) bool) *html.Node {
	if d.Root == nil {
		return nil
	}
	var found *html.Node
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && fn(n) {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(d.Root)
	return found
}

// All returns the elements with the tag.
func (d *Doc) All(tag string) []*html.Node {
	var out []*html.Node
	d.Walk(func(n *html.Node) bool {
		if n.Data == tag {
			out = append(out, n)
		}
		return false
	})
	return out
}

// ByID returns the element with the id, failing the test when there is none.
func (d *Doc) ByID(id string) *html.Node {
	d.T.Helper()
	n := d.Walk(func(n *html.Node) bool { return Attr(n, "id") == id })
	if n == nil {
		d.T.Fatalf("no element with id %q", id)
	}
	return n
}

// Has reports whether the page has an element with the id.
func (d *Doc) Has(id string) bool {
	return d.Walk(func(n *html.Node) bool { return Attr(n, "id") == id }) != nil
}

// LabelFor returns the label element of a control.
func (d *Doc) LabelFor(id string) *html.Node {
	d.T.Helper()
	n := d.Walk(func(n *html.Node) bool { return n.Data == "label" && Attr(n, "for") == id })
	if n == nil {
		d.T.Fatalf("no <label for=%q>", id)
	}
	return n
}

// Text is the visible text of the whole page, spaces collapsed.
func (d *Doc) Text() string {
	if d.Root == nil {
		return ""
	}
	return TextOf(d.Root)
}

// Attr is the value of n's attribute name, "" when it has none.
func Attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// HasAttr reports whether n has the attribute name, with or without a value.
func HasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// TextOf is the text under n, spaces collapsed, without scripts and styles.
func TextOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "head") {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			rec(c)
		}
	}
	rec(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// Options lists a select's options as value → text, in order.
func Options(sel *html.Node) (values, labels []string, selected string) {
	for c := sel.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "option" {
			values = append(values, Attr(c, "value"))
			labels = append(labels, TextOf(c))
			if HasAttr(c, "selected") {
				selected = Attr(c, "value")
			}
		}
	}
	return values, labels, selected
}
