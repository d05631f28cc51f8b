package documents

import (
	"fmt"
	"io"
	"iter"
	"runtime"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// The papers' benchmarks draw 2,000 people, about the largest workshop
// attend is for, and report besides time and allocations:
//
//	pages       pages of the document
//	pdf-kB      its size
//	peak-heap-MB the most heap in use while it was drawn and written
//	            (sampled every 100 rows and after writing; garbage not yet
//	            collected included, as the process would need it)
//
// BenchmarkPlainLines2000 is the baseline: fpdf writing the same people as
// one plain line of text each, in the same typeface, with nothing else;
// the bench suite (make bench, part documents) prints the ratios.
const benchPeople = 2000

var (
	benchDay1 = domain.NewDate(2019, 5, 30)
	benchDay2 = domain.NewDate(2019, 5, 31)
)

func benchEvent() *domain.Event {
	return &domain.Event{ID: 1, Slug: "bench", Title: "International workshop on e-government development",
		Venue: "Hyatt Regency Tashkent", City: "Tashkent", Country: "UZ", Timezone: "Asia/Tashkent",
		StartsOn: benchDay1, EndsOn: benchDay2, DayStartsAt: "09:00", DayEndsAt: "17:00",
		CoOrganizers: []string{"Astana Civil Service Hub", "Academy of Public Administration"},
		Languages:    []string{"en", "ru", "uz"}}
}

// heapPeak samples the heap in use.
type heapPeak struct{ peak uint64 }

func (h *heapPeak) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	h.peak = max(h.peak, m.HeapAlloc)
}

// benchRows makes n people as they are asked for, half in Cyrillic,
// sampling the heap every 100.
func benchRows(n int, h *heapPeak) iter.Seq2[store.Participant, error] {
	countries := []string{"UZ", "KZ", "KG", "AM", "AZ", "GE", "EE"}
	return func(yield func(store.Participant, error) bool) {
		for i := range n {
			if i%100 == 0 {
				h.sample()
			}
			first, last := fmt.Sprintf("Dilnoza %d", i), "Yusupova"
			if i%2 == 1 {
				first, last = fmt.Sprintf("Дилноза %d", i), "Юсупова-Каримова"
			}
			p := store.Participant{ID: fmt.Sprint(i), Status: domain.StatusConfirmed, FirstName: first, LastName: last,
				Organization: "Centre for Economic Research and Reforms under the Administration of the President",
				Country:      countries[i%len(countries)], Delegation: countries[i%len(countries)],
				Language: "ru", CheckinCode: fmt.Sprintf("AB%06d", i),
				Days: []domain.Date{benchDay1, benchDay2}, Attended: []domain.Date{benchDay1, benchDay2}}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// countWriter counts what is written.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func benchLocalizer(b *testing.B) (*i18n.Bundle, *i18n.Localizer) {
	bundle, err := i18n.New()
	if err != nil {
		b.Fatal(err)
	}
	return bundle, bundle.Localizer("ru")
}

// report runs draw b.N times and reports the custom metrics of the last.
func report(b *testing.B, draw func(w io.Writer, h *heapPeak) (pages int)) {
	b.ReportAllocs()
	var (
		pages int
		size  int64
		peak  uint64
	)
	for b.Loop() {
		runtime.GC()
		var h heapPeak
		h.sample()
		base := h.peak
		cw := &countWriter{}
		pages = draw(cw, &h)
		h.sample()
		size, peak = cw.n, h.peak-min(base, h.peak)
	}
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(size)/1024, "pdf-kB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

func BenchmarkSignInSheet2000(b *testing.B) {
	_, l := benchLocalizer(b)
	report(b, func(w io.Writer, h *heapPeak) int {
		pages := 0
		sheet := &pagesWriter{w: w, n: &pages}
		if err := SignInSheet(sheet, benchEvent(), benchDay1, l, benchRows(benchPeople, h)); err != nil {
			b.Fatal(err)
		}
		return pages
	})
}

func BenchmarkBadges2000(b *testing.B) {
	_, l := benchLocalizer(b)
	report(b, func(w io.Writer, h *heapPeak) int {
		n, err := Badges(w, benchEvent(), l, benchRows(benchPeople, h))
		if err != nil {
			b.Fatal(err)
		}
		return (n + BadgesPerSheet - 1) / BadgesPerSheet
	})
}

// BenchmarkCertificates200 writes 200 certificates into one ZIP archive:
// each is a PDF of its own, so each parses the typeface again.
func BenchmarkCertificates200(b *testing.B) {
	bundle, _ := benchLocalizer(b)
	s := domain.CertificateSettings{Rule: domain.CertificateRule{Kind: domain.RuleEveryDay}, SignatoryName: "Alisher Karimov"}
	report(b, func(w io.Writer, h *heapPeak) int {
		n, err := Certificates(w, benchEvent(), s, bundle, benchRows(200, h))
		if err != nil {
			b.Fatal(err)
		}
		return n
	})
}

// BenchmarkPlainLines2000 is the baseline of the sheets: the same people
// as one line of plain text each, A4 pages of 60 lines, no layout.
func BenchmarkPlainLines2000(b *testing.B) {
	report(b, func(w io.Writer, h *heapPeak) int {
		p := newPage(false, "baseline", "ru")
		p.SetFont(family, regular, 9)
		y := 300.0
		for part, err := range benchRows(benchPeople, h) {
			if err != nil {
				b.Fatal(err)
			}
			if y > 280 {
				p.AddPage()
				y = 15
			}
			p.Text(14, y, part.LastName+" "+part.FirstName+" · "+part.Organization+" · "+part.Delegation)
			y += 4.4
		}
		if err := p.write(w); err != nil {
			b.Fatal(err)
		}
		return p.PageNo()
	})
}

// pagesWriter counts the pages of the PDF that goes through it, by its
// page objects.
type pagesWriter struct {
	w io.Writer
	n *int
}

func (p *pagesWriter) Write(b []byte) (int, error) {
	*p.n += countPages(b)
	return p.w.Write(b)
}

// countPages counts "/Type /Page" objects (not "/Type /Pages").
func countPages(b []byte) int {
	n := 0
	const key = "/Type /Page"
	for i := 0; i+len(key) < len(b); i++ {
		if string(b[i:i+len(key)]) == key && b[i+len(key)] != 's' {
			n++
		}
	}
	return n
}
