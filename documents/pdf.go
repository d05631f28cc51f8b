package documents

import (
	_ "embed"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// The documents' one typeface, DejaVu Sans (fonts/README.md): it has every
// letter attend's participants write their names in, Cyrillic, Latin with
// diacritics and the Uzbek ʻ included, and fpdf embeds only the glyphs a
// document uses.
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const family = "DejaVu"

// Font styles.
const (
	regular = ""
	bold    = "B"
)

// totalPages stands for the number of pages until the document is written.
const totalPages = "{nb}"

// A4 in millimetres.
const (
	a4Short = 210.0
	a4Long  = 297.0
)

// rgb is a colour.
type rgb struct{ r, g, b int }

// The palette: dark text, a muted grey for secondary text, the accent of
// headings and bars, and light greys for rules and fills. All print well
// in black and white.
var (
	ink     = rgb{25, 25, 25}
	muted   = rgb{95, 95, 95}
	accent  = rgb{31, 73, 125}
	accent2 = rgb{150, 180, 215}
	rule    = rgb{170, 170, 170}
	faint   = rgb{215, 215, 215}
	tint    = rgb{234, 240, 247}
)

// page is an fpdf document with the helpers the documents share.
type page struct {
	*fpdf.Fpdf
	w, h float64 // page size in mm
}

// newPage starts an A4 document in millimetres with both faces of the
// typeface loaded, automatic page breaks off (each document decides where
// its pages break, so that no row is split) and no cell padding.
func newPage(landscape bool, title, lang string) *page {
	orientation, w, h := "P", a4Short, a4Long
	if landscape {
		orientation, w, h = "L", a4Long, a4Short
	}
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: orientation, UnitStr: "mm", SizeStr: "A4"})
	pdf.AliasNbPages(totalPages)
	pdf.AddUTF8FontFromBytes(family, regular, fontRegular)
	pdf.AddUTF8FontFromBytes(family, bold, fontBold)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetTitle(clean(title), true)
	pdf.SetLang(lang)
	pdf.SetCreator("attend", true)
	pdf.SetCatalogSort(true)
	return &page{Fpdf: pdf, w: w, h: h}
}

// reserveDigits writes the ten digits once, outside the page, in the
// face that will show totalPages. fpdf embeds only the glyphs a document
// draws, and it puts the number of pages in place of totalPages only when
// the document is written: a digit of that number drawn nowhere else (the
// 9 of "Page 1 of 9") would otherwise print as an empty box. Text outside
// the page is neither shown nor extracted.
func (p *page) reserveDigits(style string) {
	p.SetFont(family, style, 8)
	p.Text(-p.w, -p.h, "0123456789")
}

// write writes the document to w and reports the first error fpdf met.
func (p *page) write(w io.Writer) error {
	if err := p.Error(); err != nil {
		return fmt.Errorf("documents: draw: %w", err)
	}
	if err := p.Output(w); err != nil {
		return fmt.Errorf("documents: write PDF: %w", err)
	}
	return nil
}

// mm converts a font size in points to millimetres.
func mm(pt float64) float64 { return pt * 25.4 / 72 }

// font selects the face, size (pt) and colour of the text that follows.
func (p *page) font(style string, size float64, c rgb) {
	p.SetFont(family, style, size)
	p.SetTextColor(c.r, c.g, c.b)
}

func (p *page) fill(c rgb) { p.SetFillColor(c.r, c.g, c.b) }

func (p *page) stroke(c rgb, width float64) {
	p.SetDrawColor(c.r, c.g, c.b)
	p.SetLineWidth(width)
}

// baseline is where the first line of text in the current font sits when
// its line box starts at top: DejaVu's ascent is 0.93 of the size (in mm).
func (p *page) baseline(top float64) float64 {
	_, size := p.GetFontSize()
	return top + size*0.93
}

// lineHeight is the distance between lines of the current font.
func (p *page) lineHeight() float64 {
	_, size := p.GetFontSize()
	return size * 1.22
}

// Horizontal alignment of text in a box.
type align int

const (
	left align = iota
	center
	right
)

// textAt writes one line with its box's top at y, aligned within [x, x+w].
func (p *page) textAt(x, y, w float64, s string, a align) {
	tw := p.GetStringWidth(s)
	switch a {
	case center:
		x += (w - tw) / 2
	case right:
		x += w - tw
	}
	p.Text(x, p.baseline(y), s)
}

// lines breaks s into lines at most w wide, at most n of them (n ≤ 0: no
// limit); when s does not fit, the last line ends in an ellipsis.
func (p *page) lines(s string, w float64, n int) []string {
	var out []string
	for s != "" {
		if n > 0 && len(out) == n-1 {
			return append(out, p.ellipsize(s, w))
		}
		line, rest := p.breakLine(s, w)
		out = append(out, line)
		s = rest
	}
	return out
}

// breakLine splits off the first line of s that fits in w: up to the last
// space or hyphen that fits (names and organizations are long compounds:
// "Sigmaringen-Württemberg"), or inside a word too long for a line.
func (p *page) breakLine(s string, w float64) (line, rest string) {
	if p.GetStringWidth(s) <= w {
		return s, ""
	}
	r := []rune(s)
	fit, width := 0, 0.0
	for fit < len(r) {
		cw := p.GetStringWidth(string(r[fit]))
		if width+cw > w {
			break
		}
		width += cw
		fit++
	}
	brk := max(fit, 1)
	for i := fit; i > 0; i-- {
		if unicode.IsSpace(r[i]) || r[i-1] == '-' || r[i-1] == '/' {
			brk = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:brk]), unicode.IsSpace), strings.TrimLeftFunc(string(r[brk:]), unicode.IsSpace)
}

// ellipsize shortens s with an ellipsis until it is at most w wide. Widths
// add up rune by rune (fpdf does no kerning), so one pass finds the cut.
func (p *page) ellipsize(s string, w float64) string {
	if p.GetStringWidth(s) <= w {
		return s
	}
	room := w - p.GetStringWidth("…")
	width := 0.0
	for i, r := range s {
		width += p.GetStringWidth(string(r))
		if width > room {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
	}
	return s
}

// block writes lines from top y, one lineHeight apart, and returns the y
// below the last.
func (p *page) block(x, y, w float64, ls []string, a align) float64 {
	lh := p.lineHeight()
	for _, l := range ls {
		p.textAt(x, y, w, l, a)
		y += lh
	}
	return y
}

// fitSize is the largest size from max down to min (pt) at which s fits in
// width w in style, or min.
func (p *page) fitSize(s, style string, w, max, min float64) float64 {
	for size := max; size > min; size -= 0.5 {
		p.SetFont(family, style, size)
		if p.GetStringWidth(s) <= w {
			return size
		}
	}
	return min
}

// clean makes text safe to draw: fpdf's width tables stop at U+FFFF (a
// character past them, such as an emoji, would crash it), and a control
// character or an invalid byte draws as nothing useful. Runs of spaces
// become one.
func clean(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 0xFFFF || r < ' ' || r == utf8.RuneError || r == 0x7F }) &&
		!strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r > 0xFFFF:
			r = '\uFFFD'
		case unicode.IsControl(r) || unicode.IsSpace(r):
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}
