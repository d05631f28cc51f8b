package documents_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

func badges(t *testing.T, lang string, people ...store.Participant) ([]byte, int) {
	t.Helper()
	var b bytes.Buffer
	n, err := documents.Badges(&b, workshop(), localizer(t, lang), seq(people...))
	if err != nil {
		t.Fatalf("Badges: %v", err)
	}
	return b.Bytes(), n
}

func TestBadgesFillA4SheetsWithEightEach(t *testing.T) {
	var people []store.Participant
	for i := range 19 {
		people = append(people, participant(i, fmt.Sprintf("Name%02d", i), fmt.Sprintf("Surname%02d", i), "UZ"))
	}
	people = append(people, participant(19, "Pending", "Pendingperson", "UZ", func(p *store.Participant) { p.Status = domain.StatusPending }))
	pdf, n := badges(t, "en", people...)
	if n != 19 {
		t.Errorf("%d badges, want 19 (the pending person has none)", n)
	}
	if w, h := pageSize(t, pdf); w < 209 || w > 211 || h < 296 || h > 298 {
		t.Errorf("page %.1f × %.1f mm, want A4 portrait", w, h)
	}
	pages := pageTexts(t, pdf)
	if len(pages) != 3 {
		t.Fatalf("%d pages, want 3", len(pages))
	}
	next := 0
	for i, want := range []int{8, 8, 3} {
		if got := strings.Count(pages[i], "Surname"); got != want {
			t.Errorf("page %d has %d badges, want %d", i+1, got, want)
		}
		// In the order given, left to right and top to bottom.
		for j := range want {
			if !strings.Contains(pages[i], fmt.Sprintf("Surname%02d", next+j)) {
				t.Errorf("page %d lacks Surname%02d", i+1, next+j)
			}
		}
		next += want
	}
	if strings.Contains(strings.Join(pages, ""), "Pendingperson") {
		t.Error("a badge for someone not confirmed")
	}
}

func TestABadgeShowsTheNameLargeAndTheRestSmaller(t *testing.T) {
	pdf, _ := badges(t, "ru",
		participant(1, "Дилноза", "Юсупова", "UZ"),
		participant(2, "Gʻayrat", "Oʻrinboyev", "UZ", func(p *store.Participant) {
			p.LatinName = "Gayrat Orinboev"
			p.Organization = "Centre for Economic Research and Reforms"
		}),
		participant(3, "Maximilian-Alexander Friedrich Wilhelm", "von Hohenzollern-Sigmaringen-Württemberg", "DE"),
	)
	text := pageTexts(t, pdf)[0]
	for _, want := range []string{"International workshop on e-government development", "Дилноза", "Юсупова",
		"Gʻayrat", "Oʻrinboyev", "Gayrat Orinboev", "Centre for Economic Research and Reforms",
		"Ministry of Digital Technologies", "Узбекистан", "Германия",
		// A name too long for a line breaks at its spaces and hyphens, whole.
		"Maximilian-Alexander Friedrich", "Wilhelm", "von Hohenzollern-Sigmaringen-", "Württemberg"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q on the badges:\n%s", want, text)
		}
	}
	if strings.Contains(text, "…") {
		t.Errorf("text cut short on the badges:\n%s", text)
	}
}

// Each badge's QR code, printed and scanned, is its owner's check-in code:
// the page is rendered as a picture, as a printer would, and each badge's
// area is decoded from its pixels alone.
func TestBadgeQRCodesScanAsTheCheckinCodes(t *testing.T) {
	var people []store.Participant
	for i := range 5 {
		people = append(people, participant(i, "Name", fmt.Sprintf("Surname%d", i), "UZ",
			func(p *store.Participant) { p.CheckinCode = fmt.Sprintf("K%dABCD2%d", i, 9-i) }))
	}
	pdf, _ := badges(t, "en", people...)
	const dpi = 200
	page, err := png.Decode(strings.NewReader(poppler(t, pdf, "pdftoppm", "-png", "-r", fmt.Sprint(dpi), "-singlefile", "-f", "1", "-l", "1", "PDF")))
	if err != nil {
		t.Fatal(err)
	}
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	left := (210 - documents.BadgeColumns*documents.BadgeWidth) / 2
	top := (297 - documents.BadgeRows*documents.BadgeHeight) / 2
	for i, p := range people {
		x := left + float64(i%documents.BadgeColumns)*documents.BadgeWidth
		y := top + float64(i/documents.BadgeColumns)*documents.BadgeHeight
		badge := page.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(image.Rect(px(x), px(y), px(x+documents.BadgeWidth), px(y+documents.BadgeHeight)))
		res, err := qr.DecodeDetailed(badge)
		if err != nil {
			t.Errorf("badge %d: no QR code found: %v", i+1, err)
			continue
		}
		if res.Text != p.CheckinCode {
			t.Errorf("badge %d scans as %q, want %q", i+1, res.Text, p.CheckinCode)
		}
	}
}

func TestBadgesForNobodyAreAnEmptySheet(t *testing.T) {
	pdf, n := badges(t, "en")
	if n != 0 || pageCount(t, pdf) != 1 {
		t.Errorf("%d badges on %d pages, want none on one page", n, pageCount(t, pdf))
	}
}

func TestBadgesStopAtTheFirstErrorOfTheirRows(t *testing.T) {
	boom := errors.New("connection lost")
	var b bytes.Buffer
	_, err := documents.Badges(&b, workshop(), localizer(t, "en"), func(yield func(store.Participant, error) bool) {
		if yield(participant(1, "A", "B", "UZ"), nil) {
			yield(store.Participant{}, boom)
		}
	})
	if !errors.Is(err, boom) || b.Len() != 0 {
		t.Errorf("error %v with %d bytes written, want %v and nothing", err, b.Len(), boom)
	}
}
