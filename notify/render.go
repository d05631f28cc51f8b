package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// qrContentID is how the HTML part refers to the inline QR image.
const qrContentID = "checkin-qr@attend"

// Renderer turns Data into localized emails. All templates are parsed, and
// tried once against sample data, when it is created; after that it is safe
// for concurrent use and never reads the file system again.
type Renderer struct {
	sets map[string]templateSet // by lang + "/" + kind
	// messages name the fields, delegations and answers an email about a
	// participant's changes lists, and the countries of events.
	messages *i18n.Bundle
	zones    zoneCache
}

// templateSet is what one kind in one language is rendered from.
type templateSet struct {
	subject *texttemplate.Template
	text    *texttemplate.Template // the kind's body plus the language's text partials
	textRef string                 // name of the body template within text
	html    *htmltemplate.Template // layout + partials + the kind's "content"
}

// NewRenderer parses the email templates under "email/" in fsys (pass
// templates.FS). It fails if any kind lacks a subject, text or HTML
// template in any language, or if a template does not render with complete
// sample data, so that a broken template stops start-up, not a send.
func NewRenderer(fsys fs.FS) (*Renderer, error) { return NewRendererWith(fsys, nil) }

// NewRendererWith is NewRenderer naming what emails list (fields,
// delegations, answers) with messages, which knows the deployment's
// delegations; nil loads the built-in messages.
func NewRendererWith(fsys fs.FS, messages *i18n.Bundle) (*Renderer, error) {
	if missing := missingTemplates(fsys); len(missing) > 0 {
		return nil, fmt.Errorf("notify: email templates missing: %s", strings.Join(missing, ", "))
	}
	if messages == nil {
		var err error
		if messages, err = i18n.New(); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	r := &Renderer{sets: make(map[string]templateSet), messages: messages}
	for _, lang := range Languages() {
		for _, kind := range Kinds() {
			set, err := parseSet(fsys, lang, kind)
			if err != nil {
				return nil, fmt.Errorf("notify: parse %s/%s templates: %w", lang, kind, err)
			}
			r.sets[lang+"/"+string(kind)] = set
		}
	}
	for _, lang := range Languages() {
		for _, kind := range Kinds() {
			if _, err := r.Render(kind, lang, sampleData()); err != nil {
				return nil, fmt.Errorf("notify: trial render: %w", err)
			}
		}
	}
	return r, nil
}

// templatePaths lists every file the renderer needs.
func templatePaths() []string {
	paths := []string{"email/layout.html.tmpl"}
	for _, lang := range Languages() {
		paths = append(paths, "email/"+lang+"/partials.html.tmpl", "email/"+lang+"/partials.txt.tmpl")
		for _, kind := range Kinds() {
			for _, ext := range []string{".subject.tmpl", ".txt.tmpl", ".html.tmpl"} {
				paths = append(paths, "email/"+lang+"/"+string(kind)+ext)
			}
		}
	}
	return paths
}

func missingTemplates(fsys fs.FS) []string {
	var missing []string
	for _, p := range templatePaths() {
		if _, err := fs.Stat(fsys, p); err != nil {
			missing = append(missing, p)
		}
	}
	return missing
}

func parseSet(fsys fs.FS, lang string, kind Kind) (templateSet, error) {
	dir := "email/" + lang + "/"
	base := string(kind)
	funcs := map[string]any{"lines": lines, "button": button, "autolink": autolink}

	subject, err := texttemplate.New(base+".subject.tmpl").Funcs(funcs).ParseFS(fsys, dir+base+".subject.tmpl")
	if err != nil {
		return templateSet{}, err
	}
	text, err := texttemplate.New(base+".txt.tmpl").Funcs(funcs).ParseFS(fsys, dir+"partials.txt.tmpl", dir+base+".txt.tmpl")
	if err != nil {
		return templateSet{}, err
	}
	html, err := htmltemplate.New("email").Funcs(funcs).ParseFS(fsys, "email/layout.html.tmpl", dir+"partials.html.tmpl", dir+base+".html.tmpl")
	if err != nil {
		return templateSet{}, err
	}
	for _, name := range []string{"details", "checkin", "footer", "ics_description"} {
		if text.Lookup(name) == nil {
			return templateSet{}, fmt.Errorf("%spartials.txt.tmpl does not define %q", dir, name)
		}
	}
	for _, name := range []string{"layout", "button", "button-secondary", "details", "checkin", "footer", "content"} {
		if html.Lookup(name) == nil {
			return templateSet{}, fmt.Errorf("HTML templates for %s/%s do not define %q", lang, kind, name)
		}
	}
	return templateSet{subject: subject, text: text, textRef: base + ".txt.tmpl", html: html}, nil
}

// CountryName is a country's name in an email's language (after the same
// fallback as Render), for Data.Event.CountryName.
func (r *Renderer) CountryName(lang string, eventLanguages []string, code string) string {
	return r.messages.Localizer(resolveLanguage(lang, eventLanguages)).Country(code)
}

// DelegationName is a delegation's name in an email's language.
func (r *Renderer) DelegationName(lang string, eventLanguages []string, code string) string {
	return r.messages.Localizer(resolveLanguage(lang, eventLanguages)).Delegation(code)
}

// Render writes one notification. lang is the registration's language; if
// attend has no templates for it, the first supported language of the event
// is used, then English (Rendered.Lang says which). Kinds that need a link
// or a code fail when Data lacks it rather than send a broken email.
func (r *Renderer) Render(kind Kind, lang string, d Data) (Rendered, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return Rendered{}, err
	}
	loc, err := validate(kind, d, &r.zones)
	if err != nil {
		return Rendered{}, err
	}
	lang = resolveLanguage(lang, d.Event.Languages)
	set, ok := r.sets[lang+"/"+string(kind)]
	if !ok {
		return Rendered{}, fmt.Errorf("notify: render %s: no templates for %q", kind, lang)
	}

	v := newView(lang, d, loc)
	l := r.messages.Localizer(lang)
	for _, c := range d.Changes {
		label, before, after := l.ChangeText(c, d.Questions, d.Event.Languages)
		v.Changes = append(v.Changes, changeView{Label: label, Before: before, After: after})
	}
	out := Rendered{Lang: lang}
	if needsQR(kind, d) {
		png, err := qrPNG(d.CheckinCode, 360)
		if err != nil {
			return Rendered{}, fmt.Errorf("notify: render %s: QR code: %w", kind, err)
		}
		out.Inline = append(out.Inline, Attachment{
			Filename: "checkin-qr.png", ContentType: "image/png", ContentID: qrContentID, Data: png,
		})
		v.QRSrc = htmltemplate.URL("cid:" + qrContentID)
	}

	var buf bytes.Buffer
	if err := set.subject.Execute(&buf, v); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s/%s subject: %w", lang, kind, err)
	}
	out.Subject = oneLine(buf.String())
	v.Subject = out.Subject

	buf.Reset()
	if err := set.text.ExecuteTemplate(&buf, set.textRef, v); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s/%s text: %w", lang, kind, err)
	}
	out.Text = tidyText(buf.String())

	buf.Reset()
	if err := set.html.ExecuteTemplate(&buf, "layout", v); err != nil {
		return Rendered{}, fmt.Errorf("notify: render %s/%s html: %w", lang, kind, err)
	}
	out.HTML = buf.String()

	if printedNoValue(out) {
		return Rendered{}, fmt.Errorf("notify: render %s/%s: a template printed <no value>", lang, kind)
	}

	if kind == KindConfirmed || kind == KindPromoted || kind == KindApproved {
		buf.Reset()
		if err := set.text.ExecuteTemplate(&buf, "ics_description", v); err != nil {
			return Rendered{}, fmt.Errorf("notify: render %s/%s calendar description: %w", lang, kind, err)
		}
		cal := calendarFor(d, v, strings.TrimSpace(buf.String()))
		cal.zone = loc
		ics, err := ICS(cal)
		if err != nil {
			return Rendered{}, fmt.Errorf("notify: render %s: %w", kind, err)
		}
		out.Attachments = append(out.Attachments, Attachment{
			Filename: "event.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH", Data: ics,
		})
	}
	return out, nil
}

// needsQR reports whether the email shows the check-in code as a QR image:
// always when it confirms a seat, and in reminders when there is a code.
func needsQR(kind Kind, d Data) bool {
	switch kind {
	case KindConfirmed, KindPromoted, KindApproved:
		return true
	case KindReminder:
		return d.CheckinCode != ""
	}
	return false
}

func calendarFor(d Data, v view, description string) Calendar {
	stamp := d.CreatedAt
	if stamp.IsZero() {
		stamp = time.Now()
	}
	return Calendar{
		UIDPrefix:   d.RegistrationID,
		Host:        uidHost(d.BaseURL, d.ManageURL),
		Summary:     d.Event.Title,
		Location:    v.Place,
		Description: description,
		URL:         d.ManageURL,
		Timezone:    d.Event.Timezone,
		Days:        attendanceDays(d),
		DayStartsAt: d.Event.DayStartsAt,
		DayEndsAt:   d.Event.DayEndsAt,
		Stamp:       stamp,
	}
}

// uidHost is the host part of calendar UIDs: the site's own host name.
func uidHost(candidates ...string) string {
	for _, raw := range candidates {
		if u, err := url.Parse(raw); err == nil && u.Hostname() != "" {
			return u.Hostname()
		}
	}
	return "attend.invalid"
}

// view is what templates see: the Data plus the strings derived from it in
// the email's language. Days shadows Data.Days with the localized list.
type view struct {
	Data
	Lang         string
	Subject      string
	FullName     string
	Dates        string   // "30–31 May 2019"
	Hours        string   // "09:00–18:00", empty if unknown
	UTCOffset    string   // "UTC+5"
	Place        string   // "Venue, City, Country"
	Days         []string // the participant's days with weekdays
	MultiDay     bool     // the event lasts more than one day
	DeadlineText string   // "29 May 2019, 18:00 (UTC+5)"
	QRSrc        htmltemplate.URL
	Changes      []changeView // shadows Data.Changes: what a participant changed, in the email's language
}

// changeView is one changed field as an email lists it.
type changeView struct {
	Label, Before, After string
}

func newView(lang string, d Data, loc *time.Location) view {
	v := view{
		Data:     d,
		Lang:     lang,
		FullName: strings.TrimSpace(d.Participant.FirstName + " " + d.Participant.LastName),
		Dates:    i18n.FormatDateRange(lang, d.Event.StartsOn, d.Event.EndsOn),
		MultiDay: !civil(d.Event.StartsOn).Equal(civil(d.Event.EndsOn)),
	}
	if d.Event.DayStartsAt != "" && d.Event.DayEndsAt != "" {
		v.Hours = d.Event.DayStartsAt + "–" + d.Event.DayEndsAt
	}
	y, m, day := d.Event.StartsOn.Date()
	v.UTCOffset = utcOffset(time.Date(y, m, day, 12, 0, 0, 0, loc))
	country := d.Event.CountryName
	if country == "" {
		country = d.Event.CountryCode
	}
	v.Place = joinNonEmpty(", ", d.Event.Venue, d.Event.City, country)
	for _, day := range attendanceDays(d) {
		v.Days = append(v.Days, i18n.FormatDateWithWeekday(lang, day))
	}
	if !d.Deadline.IsZero() {
		t := d.Deadline.In(loc)
		v.DeadlineText = i18n.FormatDate(lang, t) + ", " + t.Format("15:04") + " (" + utcOffset(t) + ")"
	}
	return v
}

// utcOffset names t's offset the way people read it: "UTC+5", "UTC+5:30".
func utcOffset(t time.Time) string {
	_, seconds := t.Zone()
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	if seconds%3600 == 0 {
		return fmt.Sprintf("UTC%s%d", sign, seconds/3600)
	}
	return fmt.Sprintf("UTC%s%d:%02d", sign, seconds/3600, seconds%3600/60)
}

func joinNonEmpty(sep string, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, sep)
}

// buttonView is the argument of the layout's "button" templates.
type buttonView struct {
	URL   string
	Label string
}

func button(url, label string) buttonView { return buttonView{URL: url, Label: label} }

// lines splits free text into lines so templates can put <br> between them.
func lines(s string) []string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	return strings.Split(strings.TrimSpace(s), "\n")
}

// oneLine makes a subject a single line of single spaces, whatever the
// template's layout or the data's line breaks.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tidyText drops trailing spaces (except in the "-- " signature line) and
// runs of blank lines that conditional template blocks leave behind.
func tidyText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		if l != "-- " {
			ls[i] = strings.TrimRight(l, " \t")
		}
	}
	s = strings.Join(ls, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s) + "\n"
}

// sampleData fills every field, so a trial render takes every branch of
// every template.
func sampleData() Data {
	day := func(d int) time.Time { return time.Date(2019, time.May, d, 0, 0, 0, 0, time.UTC) }
	return Data{
		RegistrationID: "sample",
		Participant:    Participant{FirstName: "Sample", LastName: "Participant"},
		Event: Event{
			Title: "Sample event", Venue: "Venue", City: "City", CountryCode: "UZ", CountryName: "Country",
			StartsOn: day(30), EndsOn: day(31), DayStartsAt: "09:00", DayEndsAt: "18:00",
			Timezone: "UTC", Languages: []string{"en"},
		},
		Days:             []time.Time{day(30)},
		ManageURL:        "https://example.org/r/sample",
		ConfirmURL:       "https://example.org/r/sample/confirm",
		CancelURL:        "https://example.org/r/sample/cancel",
		CheckinCode:      "SAMPLE01",
		OrganizerMessage: "Sample message.",
		Deadline:         day(29),
		InviteURL:        "https://example.org/admin/invite/sample",
		TeamRole:         "organizer",
		Quota:            3,
		Delegation:       "Kazakhstan",
		WebhookURL:       "https://example.org/hooks/attend",
		Changes: []domain.Change{
			{Field: "last_name", Old: []string{"Participant"}, New: []string{"Sample-Participant"}},
			{Field: "answers.sample", New: []string{"a"}},
		},
		Questions: domain.Questions{{Key: "sample", Type: domain.QuestionSingleChoice, Label: domain.Text{"en": "Sample question"},
			Options: []domain.Option{{Value: "a", Label: domain.Text{"en": "Sample answer"}}}}},
		MessageSubject: "Sample subject",
		MessageBody:    "Sample body with a link: https://example.org/slides.",
		UnsubscribeURL: "https://example.org/unsubscribe/sample",
		BaseURL:        "https://example.org",
		CreatedAt:      day(1),
	}
}

// printedNoValue reports whether a template printed Go's placeholder for a
// missing value, which must never reach a participant.
func printedNoValue(r Rendered) bool {
	for _, s := range []string{r.Subject, r.Text, r.HTML} {
		if strings.Contains(s, "<no value>") || strings.Contains(s, "&lt;no value&gt;") {
			return true
		}
	}
	return false
}
