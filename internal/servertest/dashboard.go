package servertest

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

	"github.com/attend/attend/domain"
	"github.com/attend/attend/server"
	"github.com/attend/attend/store"
)

// DashPassword is the password the dashboard tests give organizers.
const DashPassword = "correct horse battery staple"

// Tashkent is the time zone of the workshop the dashboard tests use.
var Tashkent = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tashkent")
	if err != nil {
		panic(err)
	}
	return loc
}()

// Dashboard is the real server on a fresh database with the two-day
// Tashkent workshop (30–31 May 2019), whose organizer has a password. The
// clock of server and store reads Dashboard.now: 10:00 on the first day in
// Tashkent unless a test moves it.
type Dashboard struct {
	*Server
	Ev *domain.Event

	mu  sync.Mutex
	now time.Time
}

// WithClock makes clock the time of both the server and the store.
func WithClock(clock func() time.Time) Option {
	return func(d *server.Deps) {
		d.Now = clock
		d.Store.Now = clock
	}
}

// NewDashboard starts a Dashboard; opts adjust the server's dependencies.
func NewDashboard(t *testing.T, opts ...Option) *Dashboard {
	t.Helper()
	d := &Dashboard{now: time.Date(2019, time.May, 30, 10, 0, 0, 0, Tashkent)}
	d.Server = New(t, append([]Option{WithClock(d.Clock)}, opts...)...)
	d.SetPassword(d.Org, DashPassword)
	d.Ev = d.Workshop(d.Org, "egov-tashkent-2019", nil)
	return d
}

// Clock is the time the server and the store read.
func (d *Dashboard) Clock() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.now
}

// SetClock moves the server's and the store's clock to t.
func (d *Dashboard) SetClock(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = t
}

// SetPassword gives organizer o the dashboard password pw.
func (d *Dashboard) SetPassword(o *domain.Organizer, pw string) {
	d.T.Helper()
	h, err := domain.HashPassword(pw)
	if err != nil {
		d.T.Fatal(err)
	}
	if err := d.Store.SetPassword(context.Background(), o.ID, h); err != nil {
		d.T.Fatal(err)
	}
}

// Workshop creates a published event of org on 30–31 May 2019 in Tashkent.
func (d *Dashboard) Workshop(org *domain.Organizer, slug string, change func(*domain.EventInput)) *domain.Event {
	d.T.Helper()
	in := domain.EventInput{
		Slug: domain.Some(slug), Title: domain.Some("International workshop on e-government development"),
		Country: domain.Some("UZ"), City: domain.Some("Tashkent"), Timezone: domain.Some("Asia/Tashkent"),
		StartsOn: domain.Some("2019-05-30"), EndsOn: domain.Some("2019-05-31"),
		Languages: domain.Some([]string{"en", "ru", "uz"}), Published: domain.Some(true),
	}
	if change != nil {
		change(&in)
	}
	ev, err := d.Rules.NewEvent(in)
	if err != nil {
		d.T.Fatal(err)
	}
	if err := d.Store.CreateEvent(context.Background(), org.ID, ev); err != nil {
		d.T.Fatal(err)
	}
	return ev
}

// Attendee is a participant registered straight through the store.
type Attendee struct {
	First, Last, Email, Country, Org string
	Role                             string // expert unless set
	Confirmed, Notify                bool
	Delegation                       string         // the country unless set
	Answers                          map[string]any // to the event's questions
}

// Enrol registers p for ev straight through the store.
func (d *Dashboard) Enrol(ev *domain.Event, p Attendee) *domain.Registration {
	d.T.Helper()
	consent := true
	if p.Org == "" {
		p.Org = "Ministry of Digital Technologies"
	}
	if p.Role == "" {
		p.Role = "expert"
	}
	reg, err := d.Rules.NewRegistration(domain.RegistrationInput{
		FirstName: p.First, LastName: p.Last, Email: p.Email, Country: p.Country, Organization: p.Org,
		Role: p.Role, Consent: &consent, Delegation: p.Delegation, Answers: p.Answers,
	}, ev, d.Clock())
	if err != nil {
		d.T.Fatal(err)
	}
	register := d.Store.Register
	switch {
	case p.Confirmed && p.Notify:
		register = func(ctx context.Context, ev *domain.Event, reg *domain.Registration) (store.RegisterResult, error) {
			return d.Store.RegisterWalkIn(ctx, ev, reg, 0, nil)
		}
	case p.Confirmed:
		register = d.Store.ImportRegistration
	}
	res, err := register(context.Background(), ev, reg)
	if err != nil || !res.Created {
		d.T.Fatalf("register %s: created %v, %v", p.Email, res.Created, err)
	}
	return res.Registration
}

// SignIn posts the sign-in form and returns the session cookie as a
// Cookie request header ("name=value").
func (d *Dashboard) SignIn(email, password string) string {
	d.T.Helper()
	rec, _ := d.Submit("/admin/login", url.Values{"email": {email}, "password": {password}})
	if rec.Code != http.StatusSeeOther {
		d.T.Fatalf("sign in as %s: status %d\n%s", email, rec.Code, rec.Body)
	}
	ck := SessionCookie(rec)
	if ck == nil {
		d.T.Fatalf("sign in as %s set no session cookie", email)
	}
	return ck.Name + "=" + ck.Value
}

// SessionCookie is the session cookie a response sets, or nil.
func SessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if strings.HasSuffix(ck.Name, "attend_session") {
			return ck
		}
	}
	return nil
}

// Open GETs a dashboard page with the session cookie.
func (d *Dashboard) Open(path, cookie string, headers ...string) (*httptest.ResponseRecorder, *Doc) {
	d.T.Helper()
	return d.Page(path, append([]string{"Cookie", cookie}, headers...)...)
}

// Send POSTs a dashboard form with the session cookie.
func (d *Dashboard) Send(path, cookie string, form url.Values) *httptest.ResponseRecorder {
	d.T.Helper()
	rec, _ := d.Submit(path, form, "Cookie", cookie)
	return rec
}

// Follow checks that rec redirects (303) and opens where it points.
func (d *Dashboard) Follow(rec *httptest.ResponseRecorder, cookie string) (*httptest.ResponseRecorder, *Doc) {
	d.T.Helper()
	if rec.Code != http.StatusSeeOther {
		d.T.Fatalf("status %d, want 303; body: %s", rec.Code, rec.Body)
	}
	location, _, _ := strings.Cut(rec.Header().Get("Location"), "#") // browsers keep the fragment to themselves
	return d.Open(location, cookie)
}

// SelectAll returns the elements matching a simple selector: a tag name,
// optionally with .class ("tr", "rect.bar-registered").
func (dc *Doc) SelectAll(sel string) []*html.Node {
	tag, class, _ := strings.Cut(sel, ".")
	var out []*html.Node
	dc.Walk(func(n *html.Node) bool {
		if n.Data == tag && (class == "" || HasClass(n, class)) {
			out = append(out, n)
		}
		return false
	})
	return out
}

// HasClass reports whether n has class among its classes.
func HasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(Attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// Within returns the elements with tag under n.
func Within(n *html.Node, tag string) []*html.Node {
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

// TableRows reads a table's rows as the texts of their cells.
func TableRows(n *html.Node, section string) [][]string {
	var rows [][]string
	for _, s := range Within(n, section) {
		for _, tr := range Within(s, "tr") {
			var cells []string
			for c := tr.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, TextOf(c))
				}
			}
			rows = append(rows, cells)
		}
	}
	return rows
}

// FormsWithAction returns the forms posting to a path that ends in suffix.
func (dc *Doc) FormsWithAction(suffix string) []*html.Node {
	var out []*html.Node
	for _, f := range dc.All("form") {
		if strings.HasSuffix(Attr(f, "action"), suffix) {
			out = append(out, f)
		}
	}
	return out
}

// FormValues reads a form's hidden fields.
func FormValues(form *html.Node) url.Values {
	v := url.Values{}
	for _, in := range Within(form, "input") {
		if Attr(in, "type") == "hidden" {
			v.Add(Attr(in, "name"), Attr(in, "value"))
		}
	}
	return v
}
