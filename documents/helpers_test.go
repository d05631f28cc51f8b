package documents_test

import (
	"bytes"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

var (
	bundleOnce sync.Once
	bundle     *i18n.Bundle
	bundleErr  error
)

// localizer is the translator of lang, from one bundle shared by the tests.
func localizer(t testing.TB, lang string) *i18n.Localizer {
	t.Helper()
	return bundleOf(t).Localizer(lang)
}

func bundleOf(t testing.TB) *i18n.Bundle {
	t.Helper()
	bundleOnce.Do(func() { bundle, bundleErr = i18n.New() })
	if bundleErr != nil {
		t.Fatal(bundleErr)
	}
	return bundle
}

var (
	day1 = domain.NewDate(2019, time.May, 30)
	day2 = domain.NewDate(2019, time.May, 31)
)

// workshop is the two-day Tashkent workshop of 30–31 May 2019.
func workshop() *domain.Event {
	return &domain.Event{
		ID: 1, Slug: "egov-tashkent-2019",
		Title:        "International workshop on e-government development",
		Venue:        "Hyatt Regency Tashkent",
		City:         "Tashkent",
		Country:      "UZ",
		Timezone:     "Asia/Tashkent",
		StartsOn:     day1,
		EndsOn:       day2,
		DayStartsAt:  "09:00",
		DayEndsAt:    "17:00",
		CoOrganizers: []string{"Astana Civil Service Hub", "Academy of Public Administration under the President of the Republic of Uzbekistan"},
		Languages:    []string{"en", "ru", "uz"},
	}
}

// participant is a confirmed person registered for both days, checked in
// on none; change adjusts it.
func participant(n int, first, last, country string, change ...func(*store.Participant)) store.Participant {
	p := store.Participant{
		ID:        fmt.Sprintf("00000000-0000-4000-8000-%012d", n),
		Status:    domain.StatusConfirmed,
		FirstName: first, LastName: last,
		Organization: "Ministry of Digital Technologies",
		Country:      country, Delegation: country,
		Role: "expert", Language: "en",
		CheckinCode: fmt.Sprintf("CODE%04d", n),
		Days:        []domain.Date{day1, day2},
	}
	for _, c := range change {
		c(&p)
	}
	return p
}

// seq hands people over one at a time, as the store does.
func seq(people ...store.Participant) iter.Seq2[store.Participant, error] {
	return func(yield func(store.Participant, error) bool) {
		for _, p := range people {
			if !yield(p, nil) {
				return
			}
		}
	}
}

// poppler runs one of poppler-utils' programs (pdftotext, pdfinfo,
// pdftoppm) on a PDF, whose path stands in args where "PDF" is, failing
// the test when it cannot.
func poppler(t testing.TB, pdf []byte, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is needed to read the PDFs back: install Debian's poppler-utils", name)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	for i, a := range args {
		if a == "PDF" {
			args[i] = path
		}
	}
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", name, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s complains about the PDF: %s", name, stderr.String())
	}
	return string(out)
}

// pageTexts is the text of each page, laid out as on paper.
func pageTexts(t testing.TB, pdf []byte) []string {
	t.Helper()
	out := poppler(t, pdf, "pdftotext", "-layout", "-enc", "UTF-8", "PDF", "-")
	pages := strings.Split(out, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

var pagesLine = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

// pageCount is the number of pages pdfinfo finds.
func pageCount(t testing.TB, pdf []byte) int {
	t.Helper()
	m := pagesLine.FindStringSubmatch(poppler(t, pdf, "pdfinfo", "PDF"))
	if m == nil {
		t.Fatal("pdfinfo shows no page count")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pageSize is the size of the first page in millimetres, as pdfinfo reads it.
func pageSize(t testing.TB, pdf []byte) (w, h float64) {
	t.Helper()
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(poppler(t, pdf, "pdfinfo", "PDF"))
	if m == nil {
		t.Fatal("pdfinfo shows no page size")
	}
	pw, _ := strconv.ParseFloat(m[1], 64)
	ph, _ := strconv.ParseFloat(m[2], 64)
	return pw * 25.4 / 72, ph * 25.4 / 72
}
