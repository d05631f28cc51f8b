package documents_test

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// visaWorkshop is the workshop offering visa letters, in the organizers'
// words for English and the default for Russian.
func visaWorkshop() *domain.Event {
	ev := workshop()
	ev.VisaLetters = &domain.VisaLetters{
		HostName:       "Academy of Public Administration under the President of the Republic of Uzbekistan",
		HostAddress:    "45 Amir Temur Avenue\nTashkent 100060, Uzbekistan",
		SignatoryName:  "Alisher Karimov",
		SignatoryTitle: "Rector",
	}
	return ev
}

// holder is a confirmed registration with passport details.
func holder(first, last, lang, passportName, number string) store.VisaLetterHolder {
	return store.VisaLetterHolder{
		Registration: &domain.Registration{ID: "00000000-0000-4000-8000-000000000007", Status: domain.StatusConfirmed,
			FirstName: first, LastName: last, Language: lang},
		Visa: &domain.VisaDetails{PassportName: passportName, PassportNumber: number, Nationality: "KZ",
			DateOfBirth: domain.NewDate(1988, time.March, 14), PassportExpiry: domain.NewDate(2027, time.January, 9)},
	}
}

var letterDate = time.Date(2019, time.April, 2, 9, 0, 0, 0, time.UTC)

func TestVisaLetterCarriesTheNameAndPassport(t *testing.T) {
	tests := []struct {
		name   string
		holder store.VisaLetterHolder
		want   []string
	}{
		{"a Russian letter keeps the Cyrillic name and the passport number",
			holder("Дилноза", "Юсупова", "ru", "Dilnoza Yusupova", "N12345678"),
			[]string{"ПИСЬМО-ПРИГЛАШЕНИЕ", "Дилноза Юсупова", "Dilnoza Yusupova", "N12345678", "Казахстан",
				"14 марта 1988 г.", "9 января 2027 г.", "Alisher Karimov", "2 апреля 2019 г."}},
		{"an Uzbek participant's letter is in English and keeps the ʻ of Gʻayrat Toʻxtayev",
			holder("Gʻayrat", "Toʻxtayev", "uz", "G'ayrat To'xtayev", "AB7654321"),
			[]string{"INVITATION LETTER", "Gʻayrat Toʻxtayev", "AB7654321", "Kazakhstan", "14 March 1988",
				"International workshop on e-government development", "30–31 May 2019", "2 April 2019"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := documents.VisaLetter(&buf, visaWorkshop(), bundleOf(t), tt.holder, letterDate); err != nil {
				t.Fatal(err)
			}
			if n := pageCount(t, buf.Bytes()); n != 1 {
				t.Errorf("%d pages, want 1", n)
			}
			text := strings.Join(strings.Fields(pageTexts(t, buf.Bytes())[0]), " ")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("the letter lacks %q:\n%s", w, text)
				}
			}
			if strings.Contains(text, "{{") {
				t.Errorf("a placeholder was left unfilled:\n%s", text)
			}
			if dir := os.Getenv("ATTEND_VISA_LETTER_PNG"); dir != "" { // to look at the letter
				png := poppler(t, buf.Bytes(), "pdftoppm", "-png", "-r", "70", "-singlefile", "PDF")
				if err := os.WriteFile(dir+"/"+tt.holder.Registration.Language+".png", []byte(png), 0o600); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestVisaLetterOnlyForConfirmedRegistrationsThatAskedForOne(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*domain.Event, *store.VisaLetterHolder)
	}{
		{"awaiting approval", func(_ *domain.Event, h *store.VisaLetterHolder) {
			h.Registration.Status = domain.StatusAwaitingApproval
		}},
		{"pending", func(_ *domain.Event, h *store.VisaLetterHolder) { h.Registration.Status = domain.StatusPending }},
		{"no passport details", func(_ *domain.Event, h *store.VisaLetterHolder) { h.Visa = nil }},
		{"an event without letters", func(ev *domain.Event, _ *store.VisaLetterHolder) { ev.VisaLetters = nil }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev, h := visaWorkshop(), holder("Rustam", "Kasimov", "en", "Rustam Kasimov", "FA1234567")
			tt.change(ev, &h)
			var buf bytes.Buffer
			if err := documents.VisaLetter(&buf, ev, bundleOf(t), h, letterDate); !errors.Is(err, documents.ErrNoVisaLetter) || buf.Len() > 0 {
				t.Errorf("err %v, %d bytes; want ErrNoVisaLetter and nothing written", err, buf.Len())
			}
		})
	}
}

func TestVisaLettersArchive(t *testing.T) {
	people := []store.VisaLetterHolder{
		holder("Rustam", "Kasimov", "en", "Rustam Kasimov", "FA1234567"),
		holder("Дилноза", "Юсупова", "ru", "Dilnoza Yusupova", "N12345678"),
	}
	var buf bytes.Buffer
	n, err := documents.VisaLetters(&buf, visaWorkshop(), bundleOf(t), func(yield func(store.VisaLetterHolder, error) bool) {
		for _, h := range people {
			if !yield(h, nil) {
				return
			}
		}
	}, letterDate)
	if err != nil || n != 2 {
		t.Fatalf("%d letters, %v; want 2", n, err)
	}
	names, files := unzip(t, buf.Bytes())
	if strings.Join(names, "|") != "0001 Rustam Kasimov.pdf|0002 Dilnoza Yusupova.pdf" {
		t.Errorf("files %q", names)
	}
	if text := pageTexts(t, files[names[1]])[0]; !strings.Contains(text, "N12345678") {
		t.Errorf("the second letter lacks its passport number:\n%s", text)
	}
}

// longLetterEvent is the workshop at the limits of the settings: a host
// name of 150 characters, an address of eight lines and a template of
// 4,990 characters (the limit is 5,000) whose words are numbered, so that
// a missing one shows.
func longLetterEvent() (*domain.Event, []string) {
	ev := visaWorkshop()
	ev.VisaLetters.HostName = strings.Repeat("Institute ", 14) + "of Public Administration"
	ev.VisaLetters.HostName = ev.VisaLetters.HostName[:150]
	ev.VisaLetters.HostAddress = "Building 1\nFloor 2\nRoom 3\n45 Amir Temur Avenue\nMirzo Ulugbek district\nTashkent 100060\nUzbekistan\nTel. +998 71 000 00 00"
	var b strings.Builder
	var words []string
	b.WriteString("{{host}} invites {{name}}.\n")
	for i := 0; b.Len() < 4960; i++ {
		w := "word" + strconv.Itoa(i)
		words = append(words, w)
		b.WriteString(w)
		if i%60 == 59 {
			b.WriteString("\n\n")
		} else {
			b.WriteString(" ")
		}
	}
	ev.VisaLetters.Templates = map[string]string{"en": strings.TrimSpace(b.String())}
	return ev, words
}

func TestALongVisaLetterFlowsOntoFurtherPagesUncut(t *testing.T) {
	ev, words := longLetterEvent()
	passportName := "Abdurakhmonov-Karimov Muhammadali Abdulazizkhodjaevich Shamsiddinovich Ubaydullayev Tashkentov" // 95 characters
	h := holder("Muhammadali", "Abdurakhmonov", "en", passportName, "FA1234567")
	h.Registration.Organization, h.Registration.Position = "Ministry of Digital Technologies", "Chief specialist"
	var buf bytes.Buffer
	if err := documents.VisaLetter(&buf, ev, bundleOf(t), h, letterDate); err != nil {
		t.Fatal(err)
	}
	if n := pageCount(t, buf.Bytes()); n < 2 {
		t.Errorf("%d pages, want the body to flow onto a second", n)
	}
	pages := pageTexts(t, buf.Bytes())
	text := strings.Join(strings.Fields(strings.Join(pages, " ")), " ")
	for _, w := range append(words, passportName, "Ministry of Digital Technologies", "Chief specialist",
		"Tel. +998 71 000 00 00", "Page 2 of") {
		if !strings.Contains(text, w) {
			t.Errorf("the letter lacks %q", w)
		}
	}
	if strings.Contains(text, "…") {
		t.Error("the letter cuts something with an ellipsis")
	}
	// The signature comes after the whole body, not over it.
	if last, closing := strings.LastIndex(text, words[len(words)-1]+" "), strings.LastIndex(text, "Yours faithfully"); closing < last {
		t.Errorf("\"Yours faithfully\" at %d, before the body's last word at %d", closing, last)
	}
	if dir := os.Getenv("ATTEND_VISA_LETTER_PNG"); dir != "" { // to look at the pages
		poppler(t, buf.Bytes(), "pdftoppm", "-png", "-r", "60", "PDF", dir+"/long")
	}
}

// A Russian letter names the host, its address and the signatory's title in
// Russian when the organizers gave them, and keeps the rest; an English
// letter keeps the event's own. Both list where the participant works.
func TestAVisaLetterNamesTheHostInItsLanguage(t *testing.T) {
	ev := visaWorkshop()
	ev.VisaLetters.Translations = map[string]domain.VisaTexts{"ru": {
		HostName:       "Академия государственного управления при Президенте Республики Узбекистан",
		HostAddress:    "проспект Амира Темура, 45\nТашкент 100060",
		SignatoryTitle: "Ректор Академии",
	}}
	for _, tt := range []struct {
		lang      string
		want, not []string
	}{
		{"ru", []string{"Академия государственного управления", "проспект Амира Темура, 45", "Ректор Академии", "Центр экономических исследований", "Научный сотрудник"},
			[]string{"Academy of Public Administration", "Amir Temur Avenue"}},
		{"en", []string{"Academy of Public Administration", "45 Amir Temur Avenue", "Rector", "Центр экономических исследований"},
			[]string{"Академия", "Ректор Академии"}},
	} {
		h := holder("Дилноза", "Юсупова", tt.lang, "Dilnoza Yusupova", "N12345678")
		h.Registration.Organization, h.Registration.Position = "Центр экономических исследований", "Научный сотрудник"
		var buf bytes.Buffer
		if err := documents.VisaLetter(&buf, ev, bundleOf(t), h, letterDate); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(strings.Join(pageTexts(t, buf.Bytes()), " ")), " ")
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the letter lacks %q:\n%s", tt.lang, w, text)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(text, w) {
				t.Errorf("%s: the letter has %q:\n%s", tt.lang, w, text)
			}
		}
	}
}
