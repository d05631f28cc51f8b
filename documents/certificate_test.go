package documents_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func settings(rule domain.CertificateRule) domain.CertificateSettings {
	return domain.CertificateSettings{Rule: rule, SignatoryName: "Alisher Karimov",
		SignatoryTitle: "Rector of the Academy of Public Administration"}
}

var (
	everyDay  = domain.CertificateRule{Kind: domain.RuleEveryDay}
	oneDayMin = domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 1}
)

func attended(days ...domain.Date) func(*store.Participant) {
	return func(p *store.Participant) { p.Attended = days }
}

func language(lang string) func(*store.Participant) {
	return func(p *store.Participant) { p.Language = lang }
}

// unzip returns the archive's files by name, in order.
func unzip(t *testing.T, b []byte) (names []string, files map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP archive: %v", err)
	}
	files = map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, f.Name)
		files[f.Name] = data
	}
	return names, files
}

func TestCertificatesGoOnlyToThoseWhoMeetTheRule(t *testing.T) {
	people := []store.Participant{
		participant(1, "Дилноза", "Юсупова", "UZ", attended(day1, day2), language("ru")),
		participant(2, "Nino", "Beridze", "GE", attended(day1)),
		participant(3, "Armen", "Hakobyan", "AM"), // never came
		participant(4, "Kadri", "Kask", "EE", attended(day2, day2), language("uz")),
		participant(5, "Mart", "Tamm", "EE", attended(day2, day2.AddDays(1))), // one event day, one not
	}
	cases := []struct {
		name string
		rule domain.CertificateRule
		want []string
	}{
		{"every day", everyDay, []string{"0001 Юсупова Дилноза.pdf"}},
		{"at least one day", oneDayMin, []string{"0001 Юсупова Дилноза.pdf", "0002 Beridze Nino.pdf",
			"0003 Kask Kadri.pdf", "0004 Tamm Mart.pdf"}},
		{"at least two days", domain.CertificateRule{Kind: domain.RuleMinDays, MinDays: 2}, []string{"0001 Юсупова Дилноза.pdf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			n, err := documents.Certificates(&b, workshop(), settings(c.rule), bundleOf(t), seq(people...))
			if err != nil {
				t.Fatal(err)
			}
			names, files := unzip(t, b.Bytes())
			if n != len(c.want) || !slices.Equal(names, c.want) {
				t.Fatalf("%d certificates %q, want %q", n, names, c.want)
			}
			for _, name := range names {
				pages := pageTexts(t, files[name])
				if len(pages) != 1 {
					t.Errorf("%s has %d pages, want 1", name, len(pages))
				}
				// Each is the named person's, and only theirs.
				for _, p := range people {
					if got, want := strings.Contains(pages[0], p.LastName), strings.Contains(name, p.LastName); got != want {
						t.Errorf("%s: shows %s: %v, want %v", name, p.LastName, got, want)
					}
				}
			}
		})
	}
}

func TestACertificateIsRefusedToSomeoneWhoDoesNotMeetTheRule(t *testing.T) {
	var b bytes.Buffer
	err := documents.Certificate(&b, workshop(), settings(everyDay), bundleOf(t), participant(2, "Nino", "Beridze", "GE", attended(day1)))
	if !errors.Is(err, documents.ErrNoCertificate) || domain.ErrorCode(err) != domain.ENotFound {
		t.Fatalf("error %v, want ErrNoCertificate (not found)", err)
	}
	if b.Len() != 0 {
		t.Error("something was written")
	}
}

func TestACertificateIsInItsHoldersLanguage(t *testing.T) {
	cases := []struct {
		lang string
		p    store.Participant
		want []string
	}{
		{"en", participant(1, "Gʻayrat", "Oʻrinboyev", "UZ", attended(day1, day2), language("en"),
			func(p *store.Participant) { p.LatinName = "Gayrat Orinboev" }),
			[]string{"CERTIFICATE OF ATTENDANCE", "This is to certify that", "Gʻayrat Oʻrinboyev", "Gayrat Orinboev",
				"attended", "International workshop on e-government development",
				"30–31 May 2019, Hyatt Regency Tashkent, Tashkent", "Days attended: 2 of 2 · Duration: 16 hours",
				"Alisher Karimov", "Rector of the Academy of Public Administration", "Tashkent, 31 May 2019",
				"Astana Civil Service Hub · Academy of Public Administration"}},
		{"ru", participant(2, "Дилноза", "Юсупова", "UZ", attended(day1, day2), language("ru")),
			[]string{"СЕРТИФИКАТ УЧАСТНИКА", "Настоящим подтверждается, что", "Юсупова Дилноза",
				"принял(а) участие в мероприятии", "30–31 мая 2019 г., Hyatt Regency Tashkent, Tashkent",
				"Дней участия: 2 из 2 · Объём: 16 часов", "Tashkent, 31 мая 2019 г."}},
		{"uz", participant(3, "Gʻayrat", "Oʻrinboyev", "UZ", attended(day1, day2), language("uz")),
			[]string{"ISHTIROK SERTIFIKATI", "Ushbu sertifikat", "Oʻrinboyev Gʻayrat",
				"quyidagi tadbirda ishtirok etganini tasdiqlaydi", "2019-yil 30–31-may",
				"Ishtirok etgan kunlar: 2 / 2 · Davomiyligi: 16 soat"}},
		{"a language attend does not speak: English", participant(4, "Jean", "Dupont", "FR", attended(day1, day2), language("fr")),
			[]string{"CERTIFICATE OF ATTENDANCE", "Jean Dupont"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := documents.Certificate(&b, workshop(), settings(everyDay), bundleOf(t), c.p); err != nil {
				t.Fatal(err)
			}
			if w, h := pageSize(t, b.Bytes()); w < 296 || w > 298 || h < 209 || h > 211 {
				t.Errorf("page %.1f × %.1f mm, want A4 landscape", w, h)
			}
			pages := pageTexts(t, b.Bytes())
			if len(pages) != 1 {
				t.Fatalf("%d pages, want 1", len(pages))
			}
			// Centred text is spread by pdftotext: compare words.
			text := strings.Join(strings.Fields(pages[0]), " ")
			for _, want := range c.want {
				if !strings.Contains(text, want) {
					t.Errorf("no %q:\n%s", want, pages[0])
				}
			}
		})
	}
}

func TestCertificateHoursAreTheOrganizersWhenSet(t *testing.T) {
	s := settings(oneDayMin)
	s.Hours = 1
	var b bytes.Buffer
	if err := documents.Certificate(&b, workshop(), s, bundleOf(t), participant(1, "Nino", "Beridze", "GE", attended(day1))); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pageTexts(t, b.Bytes())[0]), " ")
	if !strings.Contains(text, "Days attended: 1 of 2 · Duration: 1 hour") {
		t.Errorf("certificate:\n%s", text)
	}
}
