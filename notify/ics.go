package notify

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	// Calendar files must name correct UTC offsets wherever the service runs,
	// including minimal containers without /usr/share/zoneinfo.
	_ "time/tzdata"
	"unicode/utf8"
)

// Calendar describes the entries an .ics file adds to a participant's
// calendar: one per attendance day, each from DayStartsAt to DayEndsAt in
// the event's time zone.
type Calendar struct {
	// UIDPrefix and Host make each entry's UID, "<UIDPrefix>-<YYYYMMDD>@<Host>".
	// Keep them stable (the registration id and the site's host) so that a
	// later file for the same registration updates entries in place.
	UIDPrefix string
	Host      string

	Summary     string
	Location    string
	Description string
	URL         string

	// Timezone is an IANA zone name such as "Asia/Tashkent".
	Timezone string
	// Days are civil dates (only t.Date() is read).
	Days []time.Time
	// DayStartsAt and DayEndsAt are "HH:MM" local times; both empty makes
	// all-day entries.
	DayStartsAt string
	DayEndsAt   string

	// Stamp is the DTSTAMP: when this calendar object was created.
	Stamp time.Time

	// zone, when set, is Timezone already loaded (the renderer's cache):
	// loading a zone reads and parses its file each time.
	zone *time.Location
}

// ICS renders c as an RFC 5545 iCalendar object with METHOD:PUBLISH: CRLF
// line endings, lines folded at 75 octets, text values escaped, and a
// VTIMEZONE whose offsets come from Go's zone database for the event's own
// dates, so clients that do not know the zone name still place it right.
func ICS(c Calendar) ([]byte, error) {
	return Feed([]Calendar{c})
}

// Feed renders several calendars as one iCalendar object, as ICS does for
// one: a VTIMEZONE per time zone, covering the days of every entry in it,
// then every entry. A public list of events is one feed.
func Feed(cals []Calendar) ([]byte, error) {
	entries := make([]calendarEntry, 0, len(cals))
	zones := map[string]*zoneSpan{}
	var order []string
	for _, c := range cals {
		e, err := prepare(c)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
		if e.allDay {
			continue
		}
		first, last := e.days[0], e.days[0]
		for _, d := range e.days {
			first, last = minTime(first, d), maxTime(last, d)
		}
		from := time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, e.loc)
		to := time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, e.loc)
		if z, ok := zones[c.Timezone]; ok {
			z.from, z.to = minTime(z.from, from), maxTime(z.to, to)
		} else {
			zones[c.Timezone] = &zoneSpan{loc: e.loc, from: from, to: to}
			order = append(order, c.Timezone)
		}
	}
	var w icsWriter
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//attend//attend//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	for _, name := range order {
		z := zones[name]
		writeTimezone(&w, name, z.loc, z.from, z.to)
	}
	if len(order) == 0 && len(entries) == 0 {
		// RFC 5545 wants at least one component in a calendar, and some
		// clients refuse an empty one: a feed with no events yet carries
		// the UTC zone, which says nothing and subscribes cleanly.
		epoch := time.Unix(0, 0).UTC()
		writeTimezone(&w, "UTC", time.UTC, epoch, epoch.AddDate(0, 0, 1))
	}
	for _, e := range entries {
		writeEvents(&w, e)
	}
	w.line("END:VCALENDAR")
	return w.buf.Bytes(), nil
}

// zoneSpan is the stretch of time a feed's entries in one zone cover.
type zoneSpan struct {
	loc      *time.Location
	from, to time.Time
}

// calendarEntry is a checked Calendar: its zone, hours and civil days.
type calendarEntry struct {
	Calendar
	loc                        *time.Location
	allDay                     bool
	startH, startM, endH, endM int
	days                       []time.Time
}

// prepare checks c and works out what writing it needs.
func prepare(c Calendar) (calendarEntry, error) {
	e := calendarEntry{Calendar: c}
	if len(c.Days) == 0 {
		return e, fmt.Errorf("notify: calendar: no days")
	}
	if c.UIDPrefix == "" || c.Host == "" {
		return e, fmt.Errorf("notify: calendar: UID prefix and host are required")
	}
	loc, err := c.zone, error(nil)
	if loc == nil || loc.String() != c.Timezone {
		if loc, err = time.LoadLocation(c.Timezone); err != nil {
			return e, fmt.Errorf("notify: calendar: time zone: %w", err)
		}
	}
	e.loc = loc
	e.allDay = c.DayStartsAt == "" && c.DayEndsAt == ""
	if !e.allDay {
		if e.startH, e.startM, err = parseClock(c.DayStartsAt); err != nil {
			return e, fmt.Errorf("notify: calendar: day start: %w", err)
		}
		if e.endH, e.endM, err = parseClock(c.DayEndsAt); err != nil {
			return e, fmt.Errorf("notify: calendar: day end: %w", err)
		}
		if e.endH*60+e.endM <= e.startH*60+e.startM {
			return e, fmt.Errorf("notify: calendar: day ends at %s, not after it starts at %s", c.DayEndsAt, c.DayStartsAt)
		}
	}
	e.days = make([]time.Time, len(c.Days))
	for i, d := range c.Days {
		e.days[i] = civil(d)
	}
	return e, nil
}

// writeEvents writes one VEVENT per day of e.
func writeEvents(w *icsWriter, e calendarEntry) {
	stamp := e.Stamp.UTC().Format("20060102T150405Z")
	for _, d := range e.days {
		w.line("BEGIN:VEVENT")
		w.line("UID:" + e.UIDPrefix + "-" + d.Format("20060102") + "@" + e.Host)
		w.line("DTSTAMP:" + stamp)
		if e.allDay {
			w.line("DTSTART;VALUE=DATE:" + d.Format("20060102"))
			w.line("DTEND;VALUE=DATE:" + d.AddDate(0, 0, 1).Format("20060102"))
		} else {
			start := time.Date(d.Year(), d.Month(), d.Day(), e.startH, e.startM, 0, 0, e.loc)
			end := time.Date(d.Year(), d.Month(), d.Day(), e.endH, e.endM, 0, 0, e.loc)
			w.line("DTSTART;TZID=" + e.Timezone + ":" + start.Format("20060102T150405"))
			w.line("DTEND;TZID=" + e.Timezone + ":" + end.Format("20060102T150405"))
		}
		w.line("SUMMARY:" + escapeText(e.Summary))
		if e.Location != "" {
			w.line("LOCATION:" + escapeText(e.Location))
		}
		if e.Description != "" {
			w.line("DESCRIPTION:" + escapeText(e.Description))
		}
		if e.URL != "" {
			w.line("URL:" + stripLineBreaks(e.URL))
		}
		w.line("STATUS:CONFIRMED")
		w.line("TRANSP:OPAQUE")
		w.line("END:VEVENT")
	}
}

// writeTimezone writes a VTIMEZONE with one observance per UTC offset in
// force during [from, to). When the first of them is daylight time the
// standard time before it is included too, because some clients reject a
// zone that has no STANDARD component. An observance that began long before
// the event (or that has no recorded start) is written with the customary
// DTSTART 19700101T000000 and equal offsets: its history does not matter.
func writeTimezone(w *icsWriter, name string, loc *time.Location, from, to time.Time) {
	var periods []time.Time // one instant inside each observance
	for t := from; t.Before(to); {
		periods = append(periods, t)
		_, end := t.ZoneBounds()
		if end.IsZero() {
			break
		}
		t = end
	}
	if first := periods[0]; first.IsDST() {
		if start, _ := first.ZoneBounds(); !start.IsZero() {
			periods = append([]time.Time{start.Add(-time.Second).In(loc)}, periods...)
		}
	}

	longAgo := from.AddDate(-1, 0, 0)
	w.line("BEGIN:VTIMEZONE")
	w.line("TZID:" + name)
	for _, t := range periods {
		abbrev, offset := t.Zone()
		start, _ := t.ZoneBounds()
		component := "STANDARD"
		if t.IsDST() {
			component = "DAYLIGHT"
		}
		dtstart, offsetFrom := "19700101T000000", offset
		if !start.IsZero() && !start.Before(longAgo) {
			_, offsetFrom = start.Add(-time.Second).In(loc).Zone()
			dtstart = start.In(time.FixedZone("", offsetFrom)).Format("20060102T150405")
		}
		w.line("BEGIN:" + component)
		w.line("DTSTART:" + dtstart)
		w.line("TZOFFSETFROM:" + formatOffset(offsetFrom))
		w.line("TZOFFSETTO:" + formatOffset(offset))
		// Go reports zones without a name as "+05"; TZNAME is optional.
		if abbrev != "" && abbrev[0] != '+' && abbrev[0] != '-' {
			w.line("TZNAME:" + abbrev)
		}
		w.line("END:" + component)
	}
	w.line("END:VTIMEZONE")
}

// formatOffset writes seconds east of UTC as RFC 5545's UTC-OFFSET, "+0500".
func formatOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	h, m, s := seconds/3600, seconds%3600/60, seconds%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// parseClock reads "HH:MM" (24-hour).
func parseClock(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, fmt.Errorf("want HH:MM, got %q", s)
	}
	return t.Hour(), t.Minute(), nil
}

// escapeText escapes an RFC 5545 TEXT value: backslash, semicolon, comma
// and line breaks.
func escapeText(s string) string {
	return icsTextEscaper.Replace(s)
}

// icsTextEscaper is escapeText's replacer, built once: building one took
// most of the time of writing a ticket's calendar file. CRLF and a lone CR
// are line breaks too (the replacer tries the longer match first).
var icsTextEscaper = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\r", `\n`, "\n", `\n`)

// stripLineBreaks keeps a URI value on one logical line.
func stripLineBreaks(s string) string {
	return lineBreakStripper.Replace(s)
}

var lineBreakStripper = strings.NewReplacer("\r", "", "\n", "")

// icsWriter writes content lines with CRLF endings, folding any line longer
// than 75 octets without splitting a UTF-8 sequence (RFC 5545 section 3.1).
type icsWriter struct {
	buf bytes.Buffer
}

func (w *icsWriter) line(s string) {
	const limit = 75
	first := true
	for {
		room := limit
		if !first {
			room = limit - 1 // the leading space of a continuation counts
		}
		if len(s) <= room {
			break
		}
		cut := room
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if !first {
			w.buf.WriteByte(' ')
		}
		w.buf.WriteString(s[:cut])
		w.buf.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
	if !first {
		w.buf.WriteByte(' ')
	}
	w.buf.WriteString(s)
	w.buf.WriteString("\r\n")
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
