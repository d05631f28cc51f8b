package notify

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func civilDate(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func calendar(tz string, days ...time.Time) Calendar {
	return Calendar{
		UIDPrefix: "r-42", Host: "attend.example.org",
		Summary: "International workshop on e-government development", Location: "Tashkent",
		Timezone: tz, Days: days, DayStartsAt: "09:00", DayEndsAt: "18:00",
		Stamp: time.Date(2019, 5, 20, 8, 0, 0, 0, time.UTC),
	}
}

// unfold undoes RFC 5545 line folding and splits the content lines.
func unfold(ics string) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(ics, "\r\n ", ""), "\r\n"), "\r\n")
}

// component returns the content lines between BEGIN:name and END:name,
// for each occurrence.
func components(lines []string, name string) [][]string {
	var out [][]string
	var cur []string
	in := false
	for _, l := range lines {
		switch {
		case l == "BEGIN:"+name:
			in, cur = true, nil
		case l == "END:"+name:
			in = false
			out = append(out, cur)
		case in:
			cur = append(cur, l)
		}
	}
	return out
}

func mustICS(t *testing.T, c Calendar) string {
	t.Helper()
	b, err := ICS(c)
	if err != nil {
		t.Fatalf("ICS: %v", err)
	}
	s := string(b)
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") || !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("lines must end in CRLF:\n%q", s)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("folding split a character: %q", l)
		}
	}
	return s
}

func TestICSPlacesEachDayInTheEventsTimeZone(t *testing.T) {
	s := mustICS(t, calendar("Asia/Tashkent", civilDate(2019, 5, 30), civilDate(2019, 5, 31)))
	lines := unfold(s)
	for _, want := range []string{"VERSION:2.0", "METHOD:PUBLISH", "PRODID:-//attend//attend//EN"} {
		if !slices.Contains(lines, want) {
			t.Errorf("missing %s", want)
		}
	}
	events := components(lines, "VEVENT")
	if len(events) != 2 {
		t.Fatalf("got %d events, want one per day", len(events))
	}
	want := [][]string{
		{"UID:r-42-20190530@attend.example.org", "DTSTART;TZID=Asia/Tashkent:20190530T090000", "DTEND;TZID=Asia/Tashkent:20190530T180000", "DTSTAMP:20190520T080000Z"},
		{"UID:r-42-20190531@attend.example.org", "DTSTART;TZID=Asia/Tashkent:20190531T090000", "DTEND;TZID=Asia/Tashkent:20190531T180000"},
	}
	for i, ev := range events {
		for _, w := range want[i] {
			if !slices.Contains(ev, w) {
				t.Errorf("event %d lacks %s: %q", i, w, ev)
			}
		}
	}
	zones := components(lines, "VTIMEZONE")
	if len(zones) != 1 || !slices.Contains(zones[0], "TZID:Asia/Tashkent") {
		t.Fatalf("want one VTIMEZONE for Asia/Tashkent, got %q", zones)
	}
	std := components(zones[0], "STANDARD")
	if len(std) != 1 || len(components(zones[0], "DAYLIGHT")) != 0 {
		t.Fatalf("Tashkent has no daylight time; want one STANDARD, got %q", zones[0])
	}
	for _, w := range []string{"TZOFFSETFROM:+0500", "TZOFFSETTO:+0500"} {
		if !slices.Contains(std[0], w) {
			t.Errorf("STANDARD lacks %s: %q", w, std[0])
		}
	}
}

func TestICSDescribesDaylightTime(t *testing.T) {
	tests := []struct {
		name string
		days []time.Time
		want map[string][]string // component -> lines it must have
	}{
		{
			"summer in Tallinn",
			[]time.Time{civilDate(2019, 6, 12)},
			map[string][]string{
				"DAYLIGHT": {"DTSTART:20190331T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0300", "TZNAME:EEST"},
				"STANDARD": {"DTSTART:20181028T040000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0200", "TZNAME:EET"},
			},
		},
		{
			"an event across the autumn change",
			[]time.Time{civilDate(2019, 10, 26), civilDate(2019, 10, 27)},
			map[string][]string{
				"DAYLIGHT": {"TZOFFSETTO:+0300"},
				"STANDARD": {"DTSTART:20191027T040000", "TZOFFSETFROM:+0300", "TZOFFSETTO:+0200"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := unfold(mustICS(t, calendar("Europe/Tallinn", tt.days...)))
			zone := components(lines, "VTIMEZONE")[0]
			for comp, wants := range tt.want {
				found := false
				for _, c := range components(zone, comp) {
					if containsAll(c, wants) {
						found = true
					}
				}
				if !found {
					t.Errorf("no %s with %q in %q", comp, wants, zone)
				}
			}
			first := tt.days[0].Format("20060102")
			if !slices.Contains(lines, "DTSTART;TZID=Europe/Tallinn:"+first+"T090000") {
				t.Errorf("event start is not in local time")
			}
		})
	}
}

func TestICSWithoutHoursMakesAllDayEntries(t *testing.T) {
	c := calendar("Asia/Tashkent", civilDate(2019, 5, 31))
	c.DayStartsAt, c.DayEndsAt = "", ""
	lines := unfold(mustICS(t, c))
	if !slices.Contains(lines, "DTSTART;VALUE=DATE:20190531") || !slices.Contains(lines, "DTEND;VALUE=DATE:20190601") {
		t.Errorf("want an all-day entry, got %q", lines)
	}
}

func TestICSEscapesAndFoldsText(t *testing.T) {
	c := calendar("Asia/Tashkent", civilDate(2019, 5, 30))
	c.Summary = strings.Repeat("Международный семинар по развитию электронного правительства, ", 3)
	c.Location = `Room 1; Building "A", Tashkent\Uzbekistan`
	c.Description = "Line one\r\nLine two"
	lines := unfold(mustICS(t, c))
	wants := []string{
		"SUMMARY:" + strings.ReplaceAll(c.Summary, ",", `\,`),
		`LOCATION:Room 1\; Building "A"\, Tashkent\\Uzbekistan`,
		`DESCRIPTION:Line one\nLine two`,
	}
	for _, w := range wants {
		if !slices.Contains(lines, w) {
			t.Errorf("missing %q", w)
		}
	}
}

func TestICSRefusesWhatItCannotPlace(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Calendar)
		want   string
	}{
		{"no days", func(c *Calendar) { c.Days = nil }, "no days"},
		{"an unknown zone", func(c *Calendar) { c.Timezone = "Nowhere/Town" }, "time zone"},
		{"hours that are not HH:MM", func(c *Calendar) { c.DayStartsAt = "9am" }, "HH:MM"},
		{"a day that ends before it starts", func(c *Calendar) { c.DayEndsAt = "08:00" }, "not after"},
		{"no UID host", func(c *Calendar) { c.Host = "" }, "UID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := calendar("Asia/Tashkent", civilDate(2019, 5, 30))
			tt.change(&c)
			if _, err := ICS(c); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestFormatOffset(t *testing.T) {
	tests := map[int]string{0: "+0000", 18000: "+0500", 19800: "+0530", -12600: "-0330", 3600 + 1: "+010001"}
	for in, want := range tests {
		if got := formatOffset(in); got != want {
			t.Errorf("formatOffset(%d) = %q, want %q", in, got, want)
		}
	}
}

func containsAll(lines, wants []string) bool {
	for _, w := range wants {
		if !slices.Contains(lines, w) {
			return false
		}
	}
	return true
}

func TestAnEmptyFeedStillHoldsAComponent(t *testing.T) {
	b, err := Feed(nil)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "BEGIN:VTIMEZONE\r\nTZID:UTC\r\n", "END:VTIMEZONE\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("an empty feed lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "BEGIN:VEVENT") {
		t.Errorf("an empty feed has an event:\n%s", s)
	}
}

func TestEscapeTextTurnsEveryLineBreakIntoOne(t *testing.T) {
	for in, want := range map[string]string{
		"a\r\nb":         `a\nb`,
		"a\rb":           `a\nb`,
		"a\nb":           `a\nb`,
		"a\r\r\nb":       `a\n\nb`,
		"a\n\rb":         `a\n\nb`,
		`x\;y,z` + "\r":  `x\\\;y\,z\n`,
		"\\\r\n;\r\r,\n": `\\\n\;\n\n\,\n`,
	} {
		if got := escapeText(in); got != want {
			t.Errorf("escapeText(%q) = %q, want %q", in, got, want)
		}
	}
}
