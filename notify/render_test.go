package notify

import (
	"bytes"
	"html"
	"image/png"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/templates"
)

// tashkentWorkshop is the running example: the two-day e-government
// workshop in Tashkent, for a participant attending both days.
func tashkentWorkshop() Data {
	day := func(d int) time.Time { return time.Date(2019, time.May, d, 0, 0, 0, 0, time.UTC) }
	return Data{
		RegistrationID: "r-42",
		Participant:    Participant{FirstName: "Рустам", LastName: "Касимов"},
		Event: Event{
			Title:       "International workshop on e-government development",
			Venue:       "Academy of Public Administration",
			City:        "Tashkent",
			CountryCode: "UZ",
			CountryName: "Uzbekistan",
			StartsOn:    day(30),
			EndsOn:      day(31),
			DayStartsAt: "09:00",
			DayEndsAt:   "18:00",
			Timezone:    "Asia/Tashkent",
			Languages:   []string{"en", "ru", "uz"},
		},
		ManageURL:        "https://attend.example.org/r/tok3n",
		ConfirmURL:       "https://attend.example.org/r/tok3n?action=confirm",
		CancelURL:        "https://attend.example.org/r/tok3n?action=cancel",
		CheckinCode:      "K7Q2M9XA",
		OrganizerMessage: "The workshop was moved to a smaller room.\nWe are sorry for the inconvenience.",
		Deadline:         time.Date(2019, time.May, 29, 13, 0, 0, 0, time.UTC), // 18:00 in Tashkent
		InviteURL:        "https://attend.example.org/admin/invite/1nv1te",
		TeamRole:         "door",
		Quota:            2,
		Delegation:       "Kazakhstan",
		WebhookURL:       "https://hooks.example.org/attend",
		Changes: []domain.Change{
			{Field: "last_name", Old: []string{"Касимов"}, New: []string{"Kasimov"}},
			{Field: "answers.diet", Old: []string{"none"}, New: []string{"halal"}},
		},
		Questions: domain.Questions{{Key: "diet", Type: domain.QuestionSingleChoice,
			Label: domain.Text{"en": "Dietary needs", "ru": "Питание", "uz": "Ovqatlanish"},
			Options: []domain.Option{{Value: "none", Label: domain.Text{"en": "No special needs", "ru": "Без ограничений"}},
				{Value: "halal", Label: domain.Text{"en": "Halal", "ru": "Халяль", "uz": "Halol"}}}}},
		MessageSubject: "The venue moved",
		MessageBody:    "Dear {name},\nthe workshop moves to room 5. Slides: https://attend.example.org/slides.",
		UnsubscribeURL: "https://attend.example.org/unsubscribe/s3cret",
		BaseURL:        "https://attend.example.org",
		CreatedAt:      time.Date(2019, time.May, 20, 8, 0, 0, 0, time.UTC),
	}
}

func newTestRenderer(t *testing.T) *Renderer {
	t.Helper()
	r, err := NewRenderer(templates.FS)
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

// linksFor lists the links each kind must carry in both parts.
func linksFor(kind Kind, d Data) []string {
	switch kind {
	case KindConfirmRequest, KindWaitlisted, KindConfirmReminder, KindAlreadyRegistered, KindUnderReview, KindApprovedConfirm, KindApprovedWaitlisted:
		return []string{d.ConfirmURL, d.CancelURL, d.ManageURL}
	case KindConfirmed, KindPromoted, KindReminder, KindApproved:
		return []string{d.CancelURL, d.ManageURL}
	case KindInvitation, KindParticipantInvitation, KindNominationRequest:
		return []string{d.InviteURL}
	case KindWebhookDisabled:
		return nil // it names the endpoint but links nowhere
	case KindMessage:
		return []string{d.UnsubscribeURL, "https://attend.example.org/slides"}
	}
	return []string{d.ManageURL}
}

func TestRenderWritesEveryKindInEveryLanguage(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	for _, lang := range Languages() {
		for _, kind := range Kinds() {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				out, err := r.Render(kind, lang, d)
				if err != nil {
					t.Fatalf("Render: %v", err)
				}
				if out.Lang != lang {
					t.Errorf("Lang = %q, want %q", out.Lang, lang)
				}
				if out.Subject == "" || strings.ContainsAny(out.Subject, "\r\n") {
					t.Errorf("Subject = %q, want one non-empty line", out.Subject)
				}
				if strings.TrimSpace(out.Text) == "" || strings.TrimSpace(out.HTML) == "" {
					t.Fatalf("empty part: text %d bytes, html %d bytes", len(out.Text), len(out.HTML))
				}
				for _, part := range []string{out.Subject, out.Text, out.HTML} {
					if strings.Contains(part, "no value") {
						t.Errorf("a part contains <no value>:\n%s", part)
					}
				}
				// html/template writes & in URLs as &amp; inside attributes.
				page := strings.ReplaceAll(out.HTML, "&amp;", "&")
				for _, link := range linksFor(kind, d) {
					if !strings.Contains(out.Text, link) {
						t.Errorf("text lacks %s", link)
					}
					if !strings.Contains(page, `href="`+link+`"`) {
						t.Errorf("html lacks a link to %s", link)
					}
				}
				if !strings.Contains(out.Text, d.Event.Title) || !strings.Contains(out.HTML, d.Event.Title) {
					t.Errorf("the event title is missing")
				}
				if !strings.Contains(out.HTML, `<html lang="`+lang+`">`) {
					t.Errorf("html does not declare its language")
				}
				if strings.Contains(out.HTML, "http://") || strings.Contains(out.HTML, `src="https:`) {
					t.Errorf("html refers to remote resources")
				}
				checkAttachments(t, kind, d, out)
			})
		}
	}
}

func checkAttachments(t *testing.T, kind Kind, d Data, out Rendered) {
	t.Helper()
	wantQR := kind == KindConfirmed || kind == KindPromoted || kind == KindReminder || kind == KindApproved
	wantICS := kind == KindConfirmed || kind == KindPromoted || kind == KindApproved
	if got := len(out.Inline) == 1; got != wantQR {
		t.Fatalf("inline images = %d, want QR: %v", len(out.Inline), wantQR)
	}
	if got := len(out.Attachments) == 1; got != wantICS {
		t.Fatalf("attachments = %d, want .ics: %v", len(out.Attachments), wantICS)
	}
	if wantQR {
		qr := out.Inline[0]
		if _, err := png.Decode(bytes.NewReader(qr.Data)); err != nil {
			t.Errorf("QR image is not a PNG: %v", err)
		}
		if !strings.Contains(out.HTML, `src="cid:`+qr.ContentID+`"`) {
			t.Errorf("html does not show the inline QR image cid:%s", qr.ContentID)
		}
		if !strings.Contains(out.Text, d.CheckinCode) || !strings.Contains(out.HTML, d.CheckinCode) {
			t.Errorf("the check-in code is not written out")
		}
	} else if strings.Contains(out.HTML, "cid:") {
		t.Errorf("html refers to an inline image it does not carry")
	}
	if wantICS {
		ics := string(out.Attachments[0].Data)
		if !strings.Contains(ics, "DTSTART;TZID=Asia/Tashkent:20190530T090000\r\n") {
			t.Errorf("calendar lacks the first day's start:\n%s", ics)
		}
		if !strings.HasPrefix(out.Attachments[0].ContentType, "text/calendar") {
			t.Errorf("calendar content type = %q", out.Attachments[0].ContentType)
		}
	}
}

func TestRenderWritesDatesNamesAndDeadlinesInTheChosenLanguage(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	uz := d
	uz.Participant = Participant{FirstName: "Oʻktam", LastName: "Ergashev"}
	tests := []struct {
		name string
		kind Kind
		lang string
		data Data
		want []string
	}{
		{"English dates and hours", KindConfirmRequest, "en", d,
			[]string{"30–31 May 2019", "09:00–18:00", "UTC+5", "Hello Рустам Касимов,", "Thursday, 30 May 2019"}},
		{"Russian dates use the genitive", KindConfirmRequest, "ru", d,
			[]string{"30–31 мая 2019 г.", "Здравствуйте, Рустам Касимов!", "четверг, 30 мая 2019 г."}},
		{"Uzbek keeps the ʻ in names", KindConfirmRequest, "uz", uz,
			[]string{"2019-yil 30–31-may", "Hurmatli Oʻktam Ergashev!"}},
		{"the deadline is shown in the event's time zone", KindConfirmReminder, "en", d,
			[]string{"29 May 2019, 18:00 (UTC+5)"}},
		{"the Russian deadline", KindConfirmReminder, "ru", d,
			[]string{"29 мая 2019 г., 18:00 (UTC+5)"}},
		{"the organizers' message is quoted", KindCancelled, "en", d,
			[]string{"moved to a smaller room", "sorry for the inconvenience"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.kind, tt.lang, tt.data)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.Text, w) {
					t.Errorf("text lacks %q:\n%s", w, out.Text)
				}
				if !strings.Contains(html.UnescapeString(out.HTML), w) {
					t.Errorf("html lacks %q", w)
				}
			}
		})
	}
}

func TestRenderEscapesDataInHTML(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	d.Participant.FirstName = `<script>alert("x")</script>`
	d.OrganizerMessage = `<b>bold</b> & "quoted"`
	for _, kind := range []Kind{KindCancelled, KindApproved, KindApprovedConfirm, KindApprovedWaitlisted, KindRejected} {
		for _, lang := range Languages() {
			out, err := r.Render(kind, lang, d)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.HTML, "<script>") || strings.Contains(out.HTML, "<b>bold") {
				t.Errorf("%s/%s: html carries unescaped markup from data", lang, kind)
			}
			if !strings.Contains(out.HTML, "&lt;b&gt;bold&lt;/b&gt;") {
				t.Errorf("%s/%s: html lacks the escaped organizer message", lang, kind)
			}
			if !strings.Contains(out.Text, `<b>bold</b> & "quoted"`) {
				t.Errorf("%s/%s: text should carry the message as written:\n%s", lang, kind, out.Text)
			}
		}
	}
}

func TestRenderLeavesOutOptionalParts(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	d.OrganizerMessage = ""
	d.CheckinCode = ""
	d.ConfirmURL = ""
	for _, kind := range []Kind{KindCancelled, KindReminder, KindAlreadyRegistered, KindRejected} {
		out, err := r.Render(kind, "en", d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		for _, unwanted := range []string{"Message from the organizers", "check-in code", "?action=confirm"} {
			if strings.Contains(out.Text, unwanted) || strings.Contains(out.HTML, unwanted) {
				t.Errorf("%s mentions %q although the data has none", kind, unwanted)
			}
		}
		if len(out.Inline) != 0 {
			t.Errorf("%s carries a QR image without a code", kind)
		}
	}
}

func TestRenderFallsBackToASupportedLanguage(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name           string
		lang           string
		eventLanguages []string
		want           string
	}{
		{"a supported language is used as is", "uz", []string{"en"}, "uz"},
		{"a regional tag uses its base language", "ru-RU", []string{"en"}, "ru"},
		{"an unsupported language falls back to the event's first supported one", "de", []string{"kk", "ru", "en"}, "ru"},
		{"with no supported event language it falls back to English", "de", []string{"kk"}, "en"},
		{"an empty language falls back too", "", []string{"uz"}, "uz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tashkentWorkshop()
			d.Event.Languages = tt.eventLanguages
			out, err := r.Render(KindConfirmRequest, tt.lang, d)
			if err != nil {
				t.Fatal(err)
			}
			if out.Lang != tt.want {
				t.Errorf("Lang = %q, want %q", out.Lang, tt.want)
			}
		})
	}
}

func TestRenderRefusesDataThatWouldMakeABrokenEmail(t *testing.T) {
	r := newTestRenderer(t)
	tests := []struct {
		name   string
		kind   Kind
		change func(*Data)
		want   string
	}{
		{"confirm request without a confirm link", KindConfirmRequest, func(d *Data) { d.ConfirmURL = "" }, "ConfirmURL"},
		{"confirmation without a check-in code", KindConfirmed, func(d *Data) { d.CheckinCode = "" }, "CheckinCode"},
		{"confirm reminder without a deadline", KindConfirmReminder, func(d *Data) { d.Deadline = time.Time{} }, "Deadline"},
		{"any email without a manage link", KindCancelled, func(d *Data) { d.ManageURL = "" }, "ManageURL"},
		{"an unknown time zone", KindReminder, func(d *Data) { d.Event.Timezone = "Mars/Olympus" }, "time zone"},
		{"an event that ends before it starts", KindReminder, func(d *Data) { d.Event.EndsOn = d.Event.StartsOn.AddDate(0, 0, -1) }, "before it starts"},
		{"an unknown kind", Kind("newsletter"), func(*Data) {}, "unknown email kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tashkentWorkshop()
			tt.change(&d)
			_, err := r.Render(tt.kind, "en", d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRenderIsRepeatable(t *testing.T) {
	r := newTestRenderer(t)
	a, err := r.Render(KindConfirmed, "ru", tashkentWorkshop())
	if err != nil {
		t.Fatal(err)
	}
	b, err := r.Render(KindConfirmed, "ru", tashkentWorkshop())
	if err != nil {
		t.Fatal(err)
	}
	if a.HTML != b.HTML || a.Text != b.Text || !bytes.Equal(a.Attachments[0].Data, b.Attachments[0].Data) {
		t.Errorf("rendering the same data twice gave different results")
	}
}

// copyFS copies the embedded templates into a MapFS that a test may change.
func copyFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(templates.FS, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templates.FS, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewRendererFailsWhenATemplateIsMissing(t *testing.T) {
	for _, missing := range []string{
		"email/uz/confirm_reminder.subject.tmpl",
		"email/ru/promoted.txt.tmpl",
		"email/en/waitlisted.html.tmpl",
		"email/ru/partials.html.tmpl",
		"email/layout.html.tmpl",
	} {
		t.Run(missing, func(t *testing.T) {
			fsys := copyFS(t)
			delete(fsys, missing)
			_, err := NewRenderer(fsys)
			if err == nil || !strings.Contains(err.Error(), missing) {
				t.Errorf("err = %v, want one naming %s", err, missing)
			}
		})
	}
}

func TestNewRendererFailsOnABrokenTemplate(t *testing.T) {
	tests := []struct {
		name, file, content, want string
	}{
		{"a syntax error", "email/ru/reminder.txt.tmpl", "{{if .FullName}}", "unexpected EOF"},
		{"a field that does not exist", "email/uz/cancelled.subject.tmpl", "{{.Event.Nmae}}", "Nmae"},
		{"an HTML body without content", "email/en/confirmed.html.tmpl", "<p>hi</p>", `"content"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := copyFS(t)
			fsys[tt.file] = &fstest.MapFile{Data: []byte(tt.content)}
			_, err := NewRenderer(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %s", err, tt.want)
			}
		})
	}
}

func TestTheUpdateEmailListsWhatChangedInTheParticipantsLanguage(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	tests := map[string][]string{
		"en": {"Last name: Касимов -> Kasimov", "Dietary needs: No special needs -> Halal"},
		"ru": {"Фамилия: Касимов -> Kasimov", "Питание: Без ограничений -> Халяль"},
		"uz": {"Ovqatlanish: No special needs -> Halol"},
	}
	for lang, want := range tests {
		out, err := r.Render(KindUpdated, lang, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range want {
			if !strings.Contains(out.Text, line) {
				t.Errorf("%s text lacks %q:\n%s", lang, line, out.Text)
			}
		}
		// The HTML part has the same table: the label, then the values.
		for _, line := range want {
			label, values, _ := strings.Cut(line, ": ")
			_, after, _ := strings.Cut(values, " -> ")
			if !strings.Contains(out.HTML, ">"+label+"</th>") || !strings.Contains(out.HTML, ">"+after+"</td>") {
				t.Errorf("%s HTML lacks the row %q", lang, line)
			}
		}
	}
	d.Changes = nil
	if _, err := r.Render(KindUpdated, "en", d); err == nil {
		t.Error("an update email without changes rendered")
	}
}

// A rejected applicant who fills the form again is told, courteously, that
// the application was not accepted, not that they are registered, and is
// offered no link to confirm or cancel what was never a seat.
func TestTheRepeatEmailOfARejectedApplicationSaysSo(t *testing.T) {
	r := newTestRenderer(t)
	d := tashkentWorkshop()
	d.Rejected = true
	for lang, want := range map[string]string{"en": "could not accept it", "ru": "не смогли её принять", "uz": "qabul qila olishmagan"} {
		out, err := r.Render(KindAlreadyRegistered, lang, d)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		for _, body := range []string{out.Text, out.HTML} {
			if !strings.Contains(body, want) || strings.Contains(body, "?action=") || strings.Contains(body, "already registered") {
				t.Errorf("%s: the email does not say the application was turned down, or offers to confirm or cancel:\n%s", lang, body)
			}
		}
	}
}
