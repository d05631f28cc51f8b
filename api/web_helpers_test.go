package api_test

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

// page GETs path with optional headers ("Accept-Language", "ru") and
// parses the HTML answer.
func (a *testAPI) page(path string, headers ...string) (*httptest.ResponseRecorder, *doc) {
	a.t.Helper()
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Add(headers[i], headers[i+1])
	}
	rec := a.do(request{method: http.MethodGet, path: path, header: h})
	return rec, parseHTML(a.t, rec)
}

// submit POSTs a form as a browser on the same site would.
func (a *testAPI) submit(path string, form url.Values, headers ...string) (*httptest.ResponseRecorder, *doc) {
	a.t.Helper()
	h := http.Header{"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	rec := a.do(request{method: http.MethodPost, path: path, body: form.Encode(),
		contentType: "application/x-www-form-urlencoded", header: h})
	return rec, parseHTML(a.t, rec)
}

// validForm is a complete, valid registration form.
func validForm(email string) url.Values {
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

// stored is a registration row as the tests read it back.
type stored struct {
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	Email     string `db:"email"`
	Language  string `db:"language"`
	Status    string `db:"status"`
	Days      string `db:"days"`
}

func (a *testAPI) registrations() []stored {
	a.t.Helper()
	var out []stored
	if err := a.db.Select(&out, `SELECT first_name, last_name, email, language, status, days::text AS days
		FROM registrations ORDER BY created_at, id`); err != nil {
		a.t.Fatal(err)
	}
	return out
}

// linkToken registers email for the event through the form and returns the
// token of the link the confirmation email carries.
func (a *testAPI) linkToken(slug, email, lang string) string {
	a.t.Helper()
	form := validForm(email)
	form.Set("language", lang)
	rec, _ := a.submit("/events/"+slug+"/register", form)
	if rec.Code != http.StatusSeeOther {
		a.t.Fatalf("register: status %d\n%s", rec.Code, rec.Body)
	}
	ctx := context.Background()
	ev, err := a.st.PublishedEvent(ctx, slug)
	if err != nil {
		a.t.Fatal(err)
	}
	emails, err := a.st.EventEmails(ctx, ev.ID, "", 100)
	if err != nil {
		a.t.Fatal(err)
	}
	sealer, err := seal.New([]byte(testSecret))
	if err != nil {
		a.t.Fatal(err)
	}
	for _, e := range emails {
		if strings.EqualFold(e.Recipient, email) && e.Payload.SealedToken != "" {
			token, err := sealer.Open(e.Payload.SealedToken)
			if err != nil {
				a.t.Fatal(err)
			}
			if !domain.ValidTokenSyntax(token) {
				a.t.Fatalf("the email's token %q is malformed", token)
			}
			return token
		}
	}
	a.t.Fatalf("no email with a link to %s", email)
	return ""
}

// doc is a parsed HTML page with the few queries the tests need.
type doc struct {
	t    *testing.T
	root *html.Node
}

func parseHTML(t *testing.T, rec *httptest.ResponseRecorder) *doc {
	t.Helper()
	if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		return &doc{t: t}
	}
	root, err := html.Parse(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("the page is not HTML: %v", err)
	}
	return &doc{t: t, root: root}
}

func (d *doc) walk(fn func(*html.Node) bool) *html.Node {
	if d.root == nil {
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
	rec(d.root)
	return found
}

// all returns the elements with the tag.
func (d *doc) all(tag string) []*html.Node {
	var out []*html.Node
	d.walk(func(n *html.Node) bool {
		if n.Data == tag {
			out = append(out, n)
		}
		return false
	})
	return out
}

// byID returns the element with the id, failing the test when there is none.
func (d *doc) byID(id string) *html.Node {
	d.t.Helper()
	n := d.walk(func(n *html.Node) bool { return attr(n, "id") == id })
	if n == nil {
		d.t.Fatalf("no element with id %q", id)
	}
	return n
}

func (d *doc) has(id string) bool {
	return d.walk(func(n *html.Node) bool { return attr(n, "id") == id }) != nil
}

// labelFor returns the label element of a control.
func (d *doc) labelFor(id string) *html.Node {
	d.t.Helper()
	n := d.walk(func(n *html.Node) bool { return n.Data == "label" && attr(n, "for") == id })
	if n == nil {
		d.t.Fatalf("no <label for=%q>", id)
	}
	return n
}

// text is the visible text of the whole page, spaces collapsed.
func (d *doc) text() string {
	if d.root == nil {
		return ""
	}
	return textOf(d.root)
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
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

// options lists a select's options as value → text, in order.
func options(sel *html.Node) (values, labels []string, selected string) {
	for c := sel.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "option" {
			values = append(values, attr(c, "value"))
			labels = append(labels, textOf(c))
			if hasAttr(c, "selected") {
				selected = attr(c, "value")
			}
		}
	}
	return values, labels, selected
}
