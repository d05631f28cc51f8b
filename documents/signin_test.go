package documents_test

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"unsafe"
	"weak"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func signInSheet(t *testing.T, lang string, day domain.Date, people ...store.Participant) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := documents.SignInSheet(&b, workshop(), day, localizer(t, lang), seq(people...)); err != nil {
		t.Fatalf("SignInSheet: %v", err)
	}
	return b.Bytes()
}

func TestSignInSheetShowsTheEventAndEachPersonInTheirScript(t *testing.T) {
	pdf := signInSheet(t, "en", day1,
		participant(1, "Дилноза", "Юсупова", "UZ"),
		participant(2, "Gʻayrat", "Oʻrinboyev", "UZ", func(p *store.Participant) { p.LatinName = "Gayrat Orinboev" }),
		participant(3, "Jüri", "Šõmberg", "EE", func(p *store.Participant) { p.Organization = "Riigikantselei" }),
		participant(4, "Айгерим", "Садыкова", "KZ", func(p *store.Participant) {
			p.Delegation = "OECD" // a delegation that is not a country is shown as it is
		}),
	)
	if w, h := pageSize(t, pdf); w < 209 || w > 211 || h < 296 || h > 298 {
		t.Errorf("page %.1f × %.1f mm, want A4 portrait", w, h)
	}
	pages := pageTexts(t, pdf)
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	text := pages[0]
	for _, want := range []string{
		"Sign-in sheet · Day 1 of 2",
		"International workshop on e-government development",
		"Thursday, 30 May 2019 · Hyatt Regency Tashkent, Tashkent",
		"Co-organizers: Astana Civil Service Hub · Academy of Public Administration",
		"Surname, name", "Organization", "Delegation", "Signature",
		"Юсупова", "Дилноза", "Oʻrinboyev", "Gʻayrat", "Gayrat Orinboev", "Šõmberg", "Jüri", "Riigikantselei",
		"Ministry of Digital Technologies", "Uzbekistan", "Estonia", "OECD",
		"Page 1 of 1",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the sheet does not show %q:\n%s", want, text)
		}
	}
	// One row each, numbered, with the surname on the number's line.
	for n, surname := range []string{"Юсупова", "Oʻrinboyev", "Šõmberg", "Садыкова"} {
		if !regexp.MustCompile(fmt.Sprintf(`(?m)^\s*%d\s+%s\s`, n+1, surname)).MatchString(text) {
			t.Errorf("no row %d for %s:\n%s", n+1, surname, text)
		}
	}
}

func TestSignInSheetsShowEachDayOnlyThePeopleExpectedThatDay(t *testing.T) {
	onlyDay := func(d domain.Date) func(*store.Participant) {
		return func(p *store.Participant) { p.Days = []domain.Date{d} }
	}
	status := func(s domain.Status) func(*store.Participant) {
		return func(p *store.Participant) { p.Status = s }
	}
	people := []store.Participant{
		participant(1, "Both", "Bothdays", "UZ"),
		participant(2, "First", "Firstday", "UZ", onlyDay(day1)),
		participant(3, "Second", "Secondday", "KZ", onlyDay(day2)),
		participant(4, "Pending", "Pendingperson", "KZ", status(domain.StatusPending)),
		participant(5, "Waiting", "Waitlistedperson", "AM", status(domain.StatusWaitlisted)),
		participant(6, "Gone", "Cancelledperson", "AM", status(domain.StatusCancelled)),
	}
	cases := []struct {
		day      domain.Date
		heading  string
		expected []string
	}{
		{day1, "Day 1 of 2", []string{"Bothdays", "Firstday"}},
		{day2, "Day 2 of 2", []string{"Bothdays", "Secondday"}},
	}
	everyone := []string{"Bothdays", "Firstday", "Secondday", "Pendingperson", "Waitlistedperson", "Cancelledperson"}
	for _, c := range cases {
		t.Run(c.day.String(), func(t *testing.T) {
			text := strings.Join(pageTexts(t, signInSheet(t, "en", c.day, people...)), "\f")
			if !strings.Contains(text, c.heading) {
				t.Errorf("no %q in the heading", c.heading)
			}
			for _, name := range everyone {
				want := 0
				for _, e := range c.expected {
					if e == name {
						want = 1
					}
				}
				if got := strings.Count(text, name); got != want {
					t.Errorf("%s appears %d times, want %d", name, got, want)
				}
			}
		})
	}
}

func TestSignInSheetsNumberTheirPagesAndNeverSplitARow(t *testing.T) {
	const n = 90
	long := func(i int) func(*store.Participant) {
		return func(p *store.Participant) {
			// Four lines in the organization column, the last one marked.
			p.Organization = fmt.Sprintf("Ministry of Economic Development and Trade, Department for Digital Services end%03d", i)
		}
	}
	var people []store.Participant
	for i := range n {
		people = append(people, participant(i, fmt.Sprintf("Name%03d", i), fmt.Sprintf("Surname%03d", i), "UZ", long(i)))
	}
	for _, lang := range []struct{ code, page string }{{"en", "Page %d of %d"}, {"ru", "Страница %d из %d"}, {"uz", "Sahifa %d / %d"}} {
		t.Run(lang.code, func(t *testing.T) {
			pdf := signInSheet(t, lang.code, day1, people...)
			pages := pageTexts(t, pdf)
			total := pageCount(t, pdf)
			if total < 3 || len(pages) != total {
				t.Fatalf("%d pages (%d with text), want at least 3", total, len(pages))
			}
			rows := 0
			for i, text := range pages {
				if want := fmt.Sprintf(lang.page, i+1, total); !strings.Contains(text, want) {
					t.Errorf("page %d does not say %q", i+1, want)
				}
				for j := range n {
					if strings.Contains(text, fmt.Sprintf("Surname%03d", j)) {
						rows++
						for _, part := range []string{fmt.Sprintf("Name%03d", j), fmt.Sprintf("end%03d", j)} {
							if !strings.Contains(text, part) {
								t.Errorf("Surname%03d is on page %d, but %s is not: the row is split", j, i+1, part)
							}
						}
					}
				}
			}
			if rows != n {
				t.Errorf("%d rows in all, want %d", rows, n)
			}
		})
	}
}

func TestSignInSheetSpeaksTheLanguageAsked(t *testing.T) {
	people := []store.Participant{participant(1, "Дилноза", "Юсупова", "UZ")}
	cases := []struct {
		lang string
		want []string
	}{
		{"ru", []string{"Лист регистрации участников · День 1 из 2", "Четверг, 30 мая 2019 г.", "Соорганизаторы:",
			"Фамилия, имя", "Организация", "Делегация", "Подпись", "Узбекистан", "Страница 1 из 1"}},
		{"uz", []string{"Ishtirokchilarni roʻyxatga olish varaqasi · 1-kun (2 kundan)", "2019-yil 30-may, payshanba",
			"Hamkor tashkilotchilar:", "Familiya, ism", "Tashkilot", "Delegatsiya", "Imzo", "Oʻzbekiston", "Sahifa 1 / 1"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			text := pageTexts(t, signInSheet(t, c.lang, day1, people...))[0]
			for _, want := range c.want {
				if !strings.Contains(text, want) {
					t.Errorf("no %q:\n%s", want, text)
				}
			}
		})
	}
}

func TestSignInSheetForADayNobodyRegisteredForSaysSo(t *testing.T) {
	text := pageTexts(t, signInSheet(t, "en", day2, participant(1, "First", "Firstday", "UZ",
		func(p *store.Participant) { p.Days = []domain.Date{day1} })))[0]
	if !strings.Contains(text, "No one is registered for this day.") || strings.Contains(text, "Firstday") {
		t.Errorf("sheet:\n%s", text)
	}
}

// Names come from a web form: characters a PDF font cannot hold (an
// emoji), control characters and invalid bytes must not break the sheet.
func TestSignInSheetDrawsAnyNameItIsGiven(t *testing.T) {
	text := pageTexts(t, signInSheet(t, "en", day1,
		participant(1, "Ali 😀", "Valiyev\tJr", "UZ"),
		participant(2, "Bad\xffbyte", "Zero\x00width", "UZ"),
	))[0]
	for _, want := range []string{"Ali", "Valiyev Jr", "Bad", "byte", "Zero width"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q:\n%s", want, text)
		}
	}
}

func TestSignInSheetRefusesADayOutsideTheEvent(t *testing.T) {
	var b bytes.Buffer
	err := documents.SignInSheet(&b, workshop(), day2.AddDays(1), localizer(t, "en"), seq())
	e, ok := domain.AsError(err)
	if !ok || e.Code != domain.EInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "day" {
		t.Fatalf("error %v, want a validation error on day", err)
	}
	if b.Len() != 0 {
		t.Error("something was written")
	}
}

func TestSignInSheetStopsAtTheFirstErrorOfItsRows(t *testing.T) {
	boom := errors.New("connection lost")
	rows := func(yield func(store.Participant, error) bool) {
		if yield(participant(1, "A", "B", "UZ"), nil) {
			yield(store.Participant{}, boom)
		}
	}
	var b bytes.Buffer
	if err := documents.SignInSheet(&b, workshop(), day1, localizer(t, "en"), rows); !errors.Is(err, boom) {
		t.Fatalf("error %v, want %v", err, boom)
	}
	if b.Len() != 0 {
		t.Error("a sheet was written despite the error")
	}
}

// generated yields n people made as they are asked for, as rows read from
// a database are, and reports through keep a weak pointer to each one's
// organization text: alive only as long as something holds the row.
func generated(n int, keep func(i int, org weak.Pointer[byte])) iter.Seq2[store.Participant, error] {
	return func(yield func(store.Participant, error) bool) {
		for i := range n {
			org := strings.Repeat(fmt.Sprintf("Organization %d ", i), 100) // 2 kB: its own allocation
			if keep != nil {
				keep(i, weak.Make(unsafe.StringData(org)))
			}
			if !yield(participant(i, fmt.Sprintf("Name%d", i), fmt.Sprintf("Surname%d", i), "UZ",
				func(p *store.Participant) { p.Organization = org }), nil) {
				return
			}
		}
	}
}

// The sheet's memory must not grow with the people it lists beyond the
// PDF itself: once a row is drawn, nothing keeps it.
func TestSignInSheetKeepsNoRowItHasDrawn(t *testing.T) {
	const n = 300
	orgs := make([]weak.Pointer[byte], n)
	alive := -1
	rows := func(yield func(store.Participant, error) bool) {
		for p, err := range generated(n, func(i int, org weak.Pointer[byte]) { orgs[i] = org }) {
			if p.ID == participant(n-1, "", "", "").ID { // the last row: count the earlier ones still reachable
				runtime.GC()
				runtime.GC()
				alive = 0
				for _, o := range orgs[:n-1] {
					if o.Value() != nil {
						alive++
					}
				}
			}
			if !yield(p, err) {
				return
			}
		}
	}
	var b bytes.Buffer
	if err := documents.SignInSheet(&b, workshop(), day1, localizer(t, "en"), rows); err != nil {
		t.Fatal(err)
	}
	if alive != 0 {
		t.Errorf("%d of the %d rows drawn before the last are still in memory", alive, n-1)
	}
	if got := len(regexp.MustCompile(`Surname\d+`).FindAllString(strings.Join(pageTexts(t, b.Bytes()), ""), -1)); got != n {
		t.Errorf("%d rows drawn, want %d", got, n)
	}
}

// An organization too long for its column's four lines is cut with an
// ellipsis rather than pushed into the next row.
func TestSignInSheetCutsAnOrganizationTooLongForItsColumn(t *testing.T) {
	org := strings.Repeat("Directorate-General for Digital Transformation ", 5) // 235 characters
	text := pageTexts(t, signInSheet(t, "en", day1,
		participant(1, "Nino", "Beridze", "GE", func(p *store.Participant) { p.Organization = org }),
		participant(2, "Armen", "Hakobyan", "AM")))[0]
	if !strings.Contains(text, "Directorate-General for Digital") || !strings.Contains(text, "…") {
		t.Errorf("sheet:\n%s", text)
	}
	if got := strings.Count(text, "Directorate"); got < 2 || got > 4 {
		t.Errorf("%d lines with the organization's start, want 2 to 4 (of its 5 repetitions)", got)
	}
	if !regexp.MustCompile(`(?m)^\s*2\s+Hakobyan\s`).MatchString(text) {
		t.Errorf("the next row is not whole:\n%s", text)
	}
}
