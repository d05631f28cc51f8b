package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// The door page: a phone at the registration desk. Someone types the code
// from a participant's email or badge (or finds them by name) and the page
// answers in large type whether they are in. It needs no script; with
// static/door.js it also reads QR codes with the phone's camera and keeps
// check-ins made offline until the network returns. Check-ins
// go through the same store call as the JSON API (store.CheckIn), so they
// are idempotent: the second scan of a code says when the first was.

// doorSearchLimit bounds the people a search at the door lists.
const doorSearchLimit = 20

// doorPage is the check-in page of one event day.
type doorPage struct {
	Admin    adminBar
	Event    httpcore.EventInfo
	Back     string // the event's dashboard page
	Action   string // where check-ins are posted
	Day      string // YYYY-MM-DD
	DayLabel string
	Days     []doorDay // the day switcher, for events of several days
	Count    string    // "12 of 40 checked in today"
	Result   *doorResult
	Q        string
	Searched bool
	People   []doorPerson
	More     bool // the search found more than it lists
}

type doorDay struct {
	Label, Href string
	Current     bool
}

// doorResult is the answer to the last check-in, shown in large type.
type doorResult struct {
	Class, Headline, Name, Country, Detail string
}

// doorPerson is one person found by a search at the door.
type doorPerson struct {
	ID, Name, Organization, Country string
	Status, StatusClass             string
	CheckedIn                       string // the time, when already checked in that day
	CanCheckIn                      bool
}

// doorDate is the day the door page works on: the one asked for if the
// event has it, else today if the event is on, else its first day.
func (s *Admin) doorDate(ev *domain.Event, asked string) domain.Date {
	if d, err := domain.ParseDate(asked); err == nil && ev.HasDay(d) {
		return d
	}
	if today := domain.DateOf(s.Now().In(ev.Location())); ev.HasDay(today) {
		return today
	}
	return ev.StartsOn
}

// Door shows the check-in desk of an event day.
func (s *Admin) Door(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	v := s.NewView(c.Request, lang, "")
	day := s.doorDate(ev, c.Query("day"))
	loc := ev.Location()
	today := domain.DateOf(s.Now().In(loc))
	self := eventAdminPath(ev.Slug) + "/checkin"
	p := doorPage{Admin: adminBarOf(c), Event: s.EventInfo(ev, v.L), Back: eventAdminPath(ev.Slug), Action: self,
		Day: day.String(), DayLabel: i18n.FormatDateWithWeekday(lang, day.In(loc))}
	v.Title = v.T("admin.door.title")
	if days := ev.Days(); len(days) > 1 {
		for _, d := range days {
			label := i18n.FormatDateWithWeekday(lang, d.In(loc))
			if d.Equal(today) {
				label = v.T("admin.door.today_label", "Date", label)
			}
			p.Days = append(p.Days, doorDay{Label: label, Href: self + "?day=" + d.String(), Current: d.Equal(day)})
		}
	}

	// Expected are the seats held: pending and confirmed registrations.
	in, err := s.Store.CheckinCount(ctx, ev.ID, day)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	expected := ev.SeatsHeld
	if day.Equal(today) {
		p.Count = v.N("admin.door.count_today", in, "Param", expected)
	} else {
		p.Count = v.N("admin.door.count_day", in, "Param", expected, "Date", p.DayLabel)
	}

	if p.Result, err = s.doorResult(c, ev, v); err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	p.Q = c.Query("q")
	if p.Q != "" {
		p.Searched = true
		if p.People, p.More, err = s.doorSearch(c, ev, day, p.Q, v.L); err != nil {
			s.PageError(c, lang, err, "not_found")
			return
		}
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "admin_checkin", v)
}

// doorResult reads the outcome of the last check-in from the query the
// check-in redirected to.
func (s *Admin) doorResult(c *gin.Context, ev *domain.Event, v httpcore.View) (*doorResult, error) {
	outcome := c.Query("outcome")
	switch outcome {
	case "":
		return nil, nil
	case "empty":
		return &doorResult{Class: "warn", Headline: v.T("admin.door.empty")}, nil
	case "not_found":
		r := &doorResult{Class: "error", Headline: v.T("admin.door.not_found")}
		if code := c.Query("code"); code != "" {
			r.Detail = v.T("admin.door.not_found_code", "ID", shorten(code, 32))
		}
		return r, nil
	case "in", "already", "refused":
	default:
		return nil, nil
	}
	reg, err := s.Store.Registration(c.Request.Context(), ev.ID, c.Query("r"))
	if domain.ErrorCode(err) == domain.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r := &doorResult{Name: personName(reg, v.L), Country: v.L.Delegation(reg.Delegation)}
	at, err := time.Parse("15:04", c.Query("at"))
	clock := ""
	if err == nil {
		clock = at.Format("15:04")
	}
	switch {
	case outcome == "in":
		r.Class, r.Headline = "ok", v.T("admin.door.checked_in")
	case outcome == "already" && clock != "":
		r.Class, r.Headline = "warn", v.T("admin.door.already_at", "Time", clock)
	case outcome == "already":
		r.Class, r.Headline = "warn", v.T("admin.door.already")
	case reg.Status == domain.StatusCancelled || reg.Status == domain.StatusExpired || reg.Status == domain.StatusWaitlisted ||
		reg.Status == domain.StatusAwaitingApproval || reg.Status == domain.StatusRejected:
		r.Class, r.Headline = "error", v.T("admin.door.refused."+string(reg.Status))
		r.Detail = v.T("admin.door.refused_hint")
	default:
		r.Class, r.Headline = "error", v.T("admin.door.refused")
	}
	return r, nil
}

// errEnough stops a walk over registrations that has found enough.
var errEnough = errors.New("enough")

// doorSearch finds people by name, email or organization, with their
// check-in on day.
func (s *Admin) doorSearch(c *gin.Context, ev *domain.Event, day domain.Date, q string, l *i18n.Localizer) ([]doorPerson, bool, error) {
	if len([]rune(q)) > 200 || domain.HasControl(q) {
		return nil, false, nil
	}
	var (
		people []doorPerson
		more   bool
	)
	// One batch of one more than is shown says whether there are more.
	err := s.Store.EachAttendee(c.Request.Context(), ev.ID, []domain.Date{day},
		store.RegistrationFilter{Query: q, Limit: doorSearchLimit + 1}, doorSearchLimit+1,
		func(batch []store.Attendee) error {
			for i, a := range batch {
				if i == doorSearchLimit {
					more = true
					break
				}
				// The delegation, as the door greets people: "OECD", not France.
				p := doorPerson{ID: a.ID, Name: personName(a.Registration, l), Organization: a.Organization,
					Country: l.Delegation(a.Delegation)}
				p.Status, p.StatusClass = statusBadge(l, a.Status)
				if at, ok := a.CheckedIn(day); ok {
					p.CheckedIn = at.In(ev.Location()).Format("15:04")
				} else {
					p.CanCheckIn = a.Status.HoldsSeat()
				}
				people = append(people, p)
			}
			return errEnough
		})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, false, err
	}
	return people, more, nil
}

// CheckIn checks someone in by the code typed at the door or by the
// button next to their name, and redirects (303) to the door page, which
// shows the outcome.
func (s *Admin) CheckIn(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	day := s.doorDate(ev, c.PostForm("day"))
	q := url.Values{"day": {day.String()}}
	if search := c.PostForm("q"); search != "" {
		q.Set("q", search)
	}
	back := func(outcome string) {
		q.Set("outcome", outcome)
		c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/checkin?"+q.Encode()+"#result")
	}
	req := store.CheckinRequest{Day: day, RegistrationID: c.PostForm("registration_id")}
	if req.RegistrationID == "" {
		if req.Code = domain.NormalizeCheckinCode(strings.TrimSpace(c.PostForm("code"))); req.Code == "" {
			back("empty")
			return
		}
	}
	ci, created, err := s.Store.CheckIn(c.Request.Context(), httpcore.Organizer(c).ID, ev.Slug, req)
	if e, ok := domain.AsError(err); ok && (e.Code == domain.ENotFound || e.Code == domain.EInvalid) {
		if id, ok := e.Extra["registration_id"].(string); ok {
			q.Set("r", id)
			back("refused")
			return
		}
		if req.Code != "" {
			q.Set("code", shorten(req.Code, 32))
		}
		back("not_found")
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	q.Set("r", ci.RegistrationID)
	if created {
		back("in")
		return
	}
	q.Set("at", ci.CheckedInAt.In(ev.Location()).Format("15:04"))
	back("already")
}
