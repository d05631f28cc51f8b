package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attend/attend/internal/servertest"
)

// icsComponent is one parsed iCalendar component: its properties (name →
// values, parameters kept in the name, e.g. "DTSTART;TZID=Asia/Tashkent")
// and the components inside it.
type icsComponent struct {
	name  string
	props []string // "NAME;PARAMS:value", unfolded
	subs  []*icsComponent
}

func (c *icsComponent) prop(name string) []string {
	var out []string
	for _, p := range c.props {
		head, value, _ := strings.Cut(p, ":")
		if n, _, _ := strings.Cut(head, ";"); n == name {
			out = append(out, value)
		}
	}
	return out
}

func (c *icsComponent) all(name string) []*icsComponent {
	var out []*icsComponent
	for _, s := range c.subs {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// contentLine is RFC 5545's name *(";" param) ":" value, loosely: names are
// letters, digits and dashes, parameters may be quoted.
var contentLine = regexp.MustCompile(`^[A-Za-z0-9-]+(;[A-Za-z0-9-]+=("[^"]*"|[^";:,]*)(,("[^"]*"|[^";:,]*))*)*:`)

// parseICS reads an iCalendar object strictly, as RFC 5545 writes it: CRLF
// line ends, lines of at most 75 octets folded with one space, valid UTF-8,
// well-formed content lines, BEGIN and END nested and matched, one
// VCALENDAR with VERSION 2.0 and a PRODID, every VEVENT with UID, DTSTAMP
// and DTSTART, and every TZID a VEVENT names defined by a VTIMEZONE with
// its observances.
func parseICS(t *testing.T, body string) *icsComponent {
	t.Helper()
	if !utf8.ValidString(body) || !strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Fatalf("not UTF-8 text with CRLF line ends:\n%q", body)
	}
	var lines []string
	for _, raw := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(raw) > 75 {
			t.Errorf("line of %d octets: %q", len(raw), raw)
		}
		if strings.HasPrefix(raw, " ") && len(lines) > 0 {
			lines[len(lines)-1] += raw[1:]
			continue
		}
		lines = append(lines, raw)
	}
	root := &icsComponent{}
	stack := []*icsComponent{root}
	for _, l := range lines {
		if !contentLine.MatchString(l) {
			t.Fatalf("malformed content line %q", l)
		}
		top := stack[len(stack)-1]
		switch {
		case strings.HasPrefix(l, "BEGIN:"):
			c := &icsComponent{name: strings.TrimPrefix(l, "BEGIN:")}
			top.subs = append(top.subs, c)
			stack = append(stack, c)
		case strings.HasPrefix(l, "END:"):
			if len(stack) == 1 || top.name != strings.TrimPrefix(l, "END:") {
				t.Fatalf("%s closes %s", l, top.name)
			}
			stack = stack[:len(stack)-1]
		default:
			if top == root {
				t.Fatalf("property %q outside any component", l)
			}
			top.props = append(top.props, l)
		}
	}
	if len(stack) != 1 || len(root.subs) != 1 || root.subs[0].name != "VCALENDAR" {
		t.Fatalf("want exactly one closed VCALENDAR, got %d components, %d open", len(root.subs), len(stack)-1)
	}
	cal := root.subs[0]
	if v := cal.prop("VERSION"); len(v) != 1 || v[0] != "2.0" || len(cal.prop("PRODID")) != 1 {
		t.Errorf("VCALENDAR VERSION %v, PRODID %v", v, cal.prop("PRODID"))
	}
	zones := map[string]bool{}
	for _, z := range cal.all("VTIMEZONE") {
		id := z.prop("TZID")
		if len(id) != 1 || len(z.subs) == 0 {
			t.Errorf("VTIMEZONE %v without TZID or observances", id)
			continue
		}
		for _, o := range z.subs {
			if (o.name != "STANDARD" && o.name != "DAYLIGHT") || len(o.prop("DTSTART")) != 1 ||
				len(o.prop("TZOFFSETFROM")) != 1 || len(o.prop("TZOFFSETTO")) != 1 {
				t.Errorf("VTIMEZONE %s: malformed observance %s %v", id[0], o.name, o.props)
			}
		}
		zones[id[0]] = true
	}
	tzid := regexp.MustCompile(`;TZID=([^;:]+)[;:]`)
	for _, ev := range cal.all("VEVENT") {
		for _, p := range []string{"UID", "DTSTAMP", "DTSTART", "SUMMARY"} {
			if len(ev.prop(p)) != 1 {
				t.Errorf("VEVENT %v has %d %s", ev.prop("UID"), len(ev.prop(p)), p)
			}
		}
		for _, p := range ev.props {
			if m := tzid.FindStringSubmatch(p); m != nil && !zones[m[1]] {
				t.Errorf("%q names a time zone no VTIMEZONE defines", p)
			}
		}
	}
	return cal
}

func TestCalendarFeedsAreValidICalendarWithTimeZones(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov", func(b map[string]any) {
		b["translations"] = map[string]any{"ru": map[string]any{"title": "Семинар по электронному правительству"}}
		b["description"] = "Two days, long enough that the line is folded: " + strings.Repeat("ёжик, ", 20)
		b["venue"] = "Hyatt Regency; Hall A"
	})
	a.Event(a.Token, "berlin", func(b map[string]any) {
		b["timezone"] = "Europe/Berlin"
		b["country"] = "DE"
	})
	a.Event(a.Token, "draft", func(b map[string]any) { b["published"] = false })
	a.Event(a.Token, "past", nil)
	if _, err := a.DB.Exec(`UPDATE events SET starts_on = '2019-05-30', ends_on = '2019-05-31' WHERE slug = 'past'`); err != nil {
		t.Fatal(err)
	}

	t.Run("the list holds the published upcoming events in the asked language", func(t *testing.T) {
		rec := a.Get("/events.ics?lang=ru", "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=") {
			t.Errorf("Cache-Control = %q", cc)
		}
		cal := parseICS(t, rec.Body.String())
		var uids, summaries []string
		for _, ev := range cal.all("VEVENT") {
			uids = append(uids, ev.prop("UID")[0])
			summaries = append(summaries, ev.prop("SUMMARY")[0])
		}
		slices.Sort(uids)
		host := "@localhost"
		want := []string{}
		for _, slug := range []string{"berlin", "egov"} {
			var days []string
			if err := a.DB.Select(&days, `SELECT to_char(d, 'YYYYMMDD') FROM events,
				generate_series(starts_on, ends_on, '1 day') d WHERE slug = $1`, slug); err != nil {
				t.Fatal(err)
			}
			for _, d := range days {
				want = append(want, "event-"+slug+"-"+d+host)
			}
		}
		slices.Sort(want)
		if !slices.Equal(uids, want) {
			t.Errorf("UIDs %v, want %v (no draft, nothing past)", uids, want)
		}
		if !slices.Contains(summaries, "Семинар по электронному правительству") {
			t.Errorf("summaries %v lack the Russian title", summaries)
		}
		var zones []string
		for _, z := range cal.all("VTIMEZONE") {
			zones = append(zones, z.prop("TZID")[0])
		}
		slices.Sort(zones)
		if !slices.Equal(zones, []string{"Asia/Tashkent", "Europe/Berlin"}) {
			t.Errorf("VTIMEZONEs %v, want one per zone", zones)
		}

		again := a.Do(servertest.Request{Method: http.MethodGet, Path: "/events.ics?lang=ru",
			Header: http.Header{"If-None-Match": {rec.Header().Get("ETag")}}})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("an unchanged feed with its ETag: %d, %d bytes; want 304", again.Code, again.Body.Len())
		}
	})

	t.Run("one event has its own calendar, in its first language by default", func(t *testing.T) {
		rec := a.Get("/events/egov.ics", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
			t.Fatalf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
		cal := parseICS(t, rec.Body.String())
		evs := cal.all("VEVENT")
		if len(evs) != 2 || len(cal.all("VTIMEZONE")) != 1 {
			t.Fatalf("%d VEVENTs, %d VTIMEZONEs; want one per day and its zone", len(evs), len(cal.all("VTIMEZONE")))
		}
		if s := evs[0].prop("SUMMARY")[0]; s != "E-government workshop egov" {
			t.Errorf("SUMMARY %q", s)
		}
		if l := evs[0].prop("LOCATION")[0]; !strings.HasPrefix(l, `Hyatt Regency\; Hall A`) {
			t.Errorf("LOCATION %q is not escaped", l)
		}
		if !slices.ContainsFunc(evs[0].props, func(p string) bool { return strings.HasPrefix(p, "DTSTART;TZID=Asia/Tashkent:") }) {
			t.Errorf("DTSTART is not in the event's zone: %v", evs[0].props)
		}
	})

	for _, path := range []string{"/events/draft.ics", "/events/nope.ics", "/events/past-nope.ics"} {
		t.Run(fmt.Sprintf("%s is not found", path), func(t *testing.T) {
			if rec := a.Get(path, ""); rec.Code != http.StatusNotFound {
				t.Errorf("%d, want 404", rec.Code)
			}
		})
	}
	t.Run("the event page is still the page", func(t *testing.T) {
		rec := a.Get("/events/egov", "")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%d %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}
