package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/attend/attend/api"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// dashPassword is the password the dashboard tests give organizers.
const dashPassword = "correct horse battery staple"

var tashkent = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		panic(err)
	}
	return loc
}()

// dashboard is the real server on a fresh database with the two-day
// Tashkent workshop (30–31 May 2019), whose organizer has a password. The
// clock of server and store reads dashboard.now: 10:00 on the first day in
// Tashkent unless a test moves it.
type dashboard struct {
	*testAPI
	ev *domain.Event

	mu  sync.Mutex
	now time.Time
}

// withClock makes clock the time of both the server and the store.
func withClock(clock func() time.Time) apiOption {
	return func(d *api.Deps) {
		d.Now = clock
		d.Store.Now = clock
	}
}

func newDashboard(t *testing.T, opts ...apiOption) *dashboard {
	t.Helper()
	d := &dashboard{now: time.Date(2019, time.May, 30, 10, 0, 0, 0, tashkent)}
	d.testAPI = newAPI(t, append([]apiOption{withClock(d.clock)}, opts...)...)
	d.setPassword(d.org, dashPassword)
	d.ev = d.workshop(d.org, "egov-tashkent-2019", nil)
	return d
}

func (d *dashboard) clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

func (d *dashboard) setClock(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = t
}

func (d *dashboard) setPassword(o *domain.Organizer, pw string) {
	d.t.Helper()
	h, err := domain.HashPassword(pw)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.st.SetPassword(context.Background(), o.ID, h); err != nil {
		d.t.Fatal(err)
	}
}

// workshop creates a published event of org on 30–31 May 2019 in Tashkent.
func (d *dashboard) workshop(org *domain.Organizer, slug string, change func(*domain.EventInput)) *domain.Event {
	d.t.Helper()
	in := domain.EventInput{
		Slug: domain.Some(slug), Title: domain.Some("International workshop on e-government development"),
		Country: domain.Some("UZ"), City: domain.Some("Tashkent"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
		Languages: domain.Some([]string{"en", "ru", "uz"}), Published: domain.Some(true),
	}
	if change != nil {
		change(&in)
	}
	ev, err := d.rules.NewEvent(in)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.st.CreateEvent(context.Background(), org.ID, ev); err != nil {
		d.t.Fatal(err)
	}
	return ev
}

// attendee is a participant registered straight through the store.
type attendee struct {
	first, last, email, country, org string
	role                             string // expert unless set
	confirmed, notify                bool
}

func (d *dashboard) enrol(ev *domain.Event, p attendee) *domain.Registration {
	d.t.Helper()
	consent := true
	if p.org == "" {
		p.org = "Ministry of Digital Technologies"
	}
	if p.role == "" {
		p.role = "expert"
	}
	reg, err := d.rules.NewRegistration(domain.RegistrationInput{
		FirstName: p.first, LastName: p.last, Email: p.email, Country: p.country, Organization: p.org,
		Role: p.role, Consent: &consent,
	}, ev, d.clock())
	if err != nil {
		d.t.Fatal(err)
	}
	register := d.st.Register
	switch {
	case p.confirmed && p.notify:
		register = func(ctx context.Context, ev *domain.Event, reg *domain.Registration) (store.RegisterResult, error) {
			return d.st.RegisterWalkIn(ctx, ev, reg, 0, nil)
		}
	case p.confirmed:
		register = d.st.ImportRegistration
	}
	res, err := register(context.Background(), ev, reg)
	if err != nil || !res.Created {
		d.t.Fatalf("register %s: created %v, %v", p.email, res.Created, err)
	}
	return res.Registration
}

// signIn posts the sign-in form and returns the session cookie as a
// Cookie request header ("name=value").
func (d *dashboard) signIn(email, password string) string {
	d.t.Helper()
	rec, _ := d.submit("/admin/login", url.Values{"email": {email}, "password": {password}})
	if rec.Code != http.StatusSeeOther {
		d.t.Fatalf("sign in as %s: status %d\n%s", email, rec.Code, rec.Body)
	}
	ck := sessionCookie(rec)
	if ck == nil {
		d.t.Fatalf("sign in as %s set no session cookie", email)
	}
	return ck.Name + "=" + ck.Value
}

// sessionCookie is the session cookie a response sets, or nil.
func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if strings.HasSuffix(ck.Name, "attend_session") {
			return ck
		}
	}
	return nil
}

// open GETs a dashboard page with the session cookie.
func (d *dashboard) open(path, cookie string, headers ...string) (*httptest.ResponseRecorder, *doc) {
	d.t.Helper()
	return d.page(path, append([]string{"Cookie", cookie}, headers...)...)
}

// send POSTs a dashboard form with the session cookie.
func (d *dashboard) send(path, cookie string, form url.Values) *httptest.ResponseRecorder {
	d.t.Helper()
	rec, _ := d.submit(path, form, "Cookie", cookie)
	return rec
}

// follow checks that rec redirects (303) and opens where it points.
func (d *dashboard) follow(rec *httptest.ResponseRecorder, cookie string) (*httptest.ResponseRecorder, *doc) {
	d.t.Helper()
	if rec.Code != http.StatusSeeOther {
		d.t.Fatalf("status %d, want 303; body: %s", rec.Code, rec.Body)
	}
	location, _, _ := strings.Cut(rec.Header().Get("Location"), "#") // browsers keep the fragment to themselves
	return d.open(location, cookie)
}

// selectAll returns the elements matching a simple selector: a tag name,
// optionally with .class ("tr", "rect.bar-registered").
func (dc *doc) selectAll(sel string) []*html.Node {
	tag, class, _ := strings.Cut(sel, ".")
	var out []*html.Node
	dc.walk(func(n *html.Node) bool {
		if n.Data == tag && (class == "" || hasClass(n, class)) {
			out = append(out, n)
		}
		return false
	})
	return out
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// within returns the elements with tag under n.
func within(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	var rec func(*html.Node)
	rec = func(m *html.Node) {
		for c := m.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == tag {
				out = append(out, c)
			}
			rec(c)
		}
	}
	rec(n)
	return out
}

// tableRows reads a table's rows as the texts of their cells.
func tableRows(n *html.Node, section string) [][]string {
	var rows [][]string
	for _, s := range within(n, section) {
		for _, tr := range within(s, "tr") {
			var cells []string
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, textOf(c))
				}
			}
			rows = append(rows, cells)
		}
	}
	return rows
}

// formsWithAction returns the forms posting to a path that ends in suffix.
func (dc *doc) formsWithAction(suffix string) []*html.Node {
	var out []*html.Node
	for _, f := range dc.all("form") {
		if strings.HasSuffix(attr(f, "action"), suffix) {
			out = append(out, f)
		}
	}
	return out
}

// formValues reads a form's hidden fields.
func formValues(form *html.Node) url.Values {
	v := url.Values{}
	for _, in := range within(form, "input") {
		if attr(in, "type") == "hidden" {
			v.Add(attr(in, "name"), attr(in, "value"))
		}
	}
	return v
}
