package export

import (
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"
)

// The workbook's one font, named on every cell style (a style that names no
// font is drawn in whatever the spreadsheet picks: LibreOffice chose a serif
// for the header). Arial is on every computer with Excel, and LibreOffice
// draws it with the metric-compatible Liberation Sans where it is missing,
// so the column widths below fit in both.
const (
	FontFamily = "Arial"
	FontSize   = 10.0
)

// Column widths are in the spreadsheet's unit, the width of a digit in the
// default font.
const (
	minWidth     = 6.0
	widthPadding = 1.5
	// dateWidth fits a date-time cell ("2019-05-30 08:41"): a column too
	// narrow for a date shows ######## instead.
	dateWidth = 18.0
	// boldFactor widens a bold header over its regular text.
	boldFactor = 1.1
	// lineHeight is the height of a line of text in points, for rows whose
	// text wraps: spreadsheets keep a row one line high unless told.
	lineHeight   = 13.0
	maxRowHeight = 409.0
)

// styles are the workbook's cell style ids.
type styles struct {
	header    int // bold on a tinted fill, wrapped
	headerNum int // the header of a column of counts, aligned right as they are
	text      int // wrapped, top-aligned
	when      int // date-time, top-aligned, aligned left under its header
	number    int // counts
	total     int // the By country sheet's total line
}

func newStyles(f *excelize.File) (styles, error) {
	var (
		s     styles
		err   error
		font  = &excelize.Font{Family: FontFamily, Size: FontSize}
		bold  = &excelize.Font{Family: FontFamily, Size: FontSize, Bold: true}
		tint  = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}
		top   = &excelize.Alignment{Vertical: "top"}
		wrap  = &excelize.Alignment{Vertical: "top", WrapText: true}
		left  = &excelize.Alignment{Vertical: "top", Horizontal: "left"}
		right = &excelize.Alignment{Vertical: "top", Horizontal: "right", WrapText: true}
		when  = DateTimeFormat
	)
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: bold, Fill: tint, Alignment: wrap}},
		{&s.headerNum, &excelize.Style{Font: bold, Fill: tint, Alignment: right}},
		{&s.text, &excelize.Style{Font: font, Alignment: wrap}},
		{&s.when, &excelize.Style{Font: font, Alignment: left, CustomNumFmt: &when}},
		{&s.number, &excelize.Style{Font: font, Alignment: top}},
		{&s.total, &excelize.Style{Font: bold, Fill: tint, Alignment: top}},
	} {
		if *st.id, err = f.NewStyle(st.style); err != nil {
			return s, err
		}
	}
	return s, nil
}

// textWidth estimates how wide s is drawn in the workbook's font, in column
// width units: narrow letters count half, capitals and wide letters more.
// A value of several lines is as wide as its longest line.
func textWidth(s string) float64 {
	widest, w := 0.0, 0.0
	for _, r := range s {
		switch {
		case r == '\n':
			widest, w = max(widest, w), 0
		case r < tabledRunes:
			w += runeWidths[r]
		default:
			w += runeWidth(r)
		}
	}
	return max(widest, w)
}

// runeWidths is textWidth's measure of the characters before tabledRunes:
// Latin, its modifier letters (Uzbek's ʻ), Greek and Cyrillic. It runs over
// every text cell of an export, so it is a table.
var runeWidths = func() (t [tabledRunes]float64) {
	for r := range rune(tabledRunes) {
		t[r] = runeWidth(r)
	}
	return t
}()

const tabledRunes = 0x0530 // the end of the Cyrillic Supplement block

func runeWidth(r rune) float64 {
	switch {
	case strings.ContainsRune(" .,:;'|!ʻʼiljtfrI", r):
		return 0.5
	case strings.ContainsRune("mwMW@ШЩЖМЮЫшщжмюы", r):
		return 1.6
	case r >= 0x1100 && unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana):
		return 2
	case unicode.IsUpper(r):
		return 1.25
	}
	return 1
}

// wrappedLines estimates how many lines s takes in a wrapped cell of a
// column width wide, breaking lines between words as spreadsheets do, and
// inside a word too long for a line.
func wrappedLines(s string, width float64) int {
	inner := width - widthPadding
	if inner <= 0 {
		return 1
	}
	// No character is wider than 2: short text fits without measuring.
	if float64(2*len(s)) <= inner && !strings.Contains(s, "\n") {
		return 1
	}
	if textWidth(s) <= inner && !strings.Contains(s, "\n") {
		return 1
	}
	space := runeWidths[' ']
	lines := 0
	for line := range strings.SplitSeq(s, "\n") {
		lines++
		used := 0.0
		for word := range strings.FieldsSeq(line) {
			w := textWidth(word)
			if used > 0 && used+space+w <= inner {
				used += space + w
				continue
			}
			if used > 0 {
				lines++
			}
			for w > inner { // a word longer than a line is cut across lines
				lines++
				w -= inner
			}
			used = w
		}
	}
	return max(lines, 1)
}

// rowHeight is the height in points of a row whose cells take at most
// lines lines, or 0 for the default height of one line.
func rowHeight(lines int) float64 {
	if lines <= 1 {
		return 0
	}
	return min(float64(lines)*lineHeight, maxRowHeight)
}

// headerWidth is the width a header needs to show whole: at least a
// character's width per character, whatever the estimate.
func headerWidth(h string) float64 {
	return max(float64(len([]rune(h))), textWidth(h)*boldFactor) + widthPadding
}

// fitWidth is the width of a column headed by header whose longest value is
// content wide: wide enough for both, but a value wider than widest wraps
// instead of widening the column further. The header is never cut.
func fitWidth(header string, content, widest float64) float64 {
	w := content + widthPadding
	if widest > 0 {
		w = min(w, widest)
	}
	return max(minWidth, headerWidth(header), w)
}

// printSetup makes sheet print readably: landscape on A4 with narrow
// margins, scaled to the width of one page (as many pages down as it
// takes), with the header row repeated at the top of every page and page
// numbers at the foot. sheet must not be streamed yet: its fit-to-page flag
// is written with the sheet's opening.
func printSetup(f *excelize.File, sheet string) error {
	fit := true
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	var (
		landscape = "landscape"
		a4        = 9
		oneWide   = 1
		anyTall   = 0
	)
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &oneWide, FitToHeight: &anyTall}); err != nil {
		return err
	}
	// Excel's "narrow" margins, in inches.
	side, edge, band := 0.25, 0.75, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side,
		Top: &edge, Bottom: &edge, Header: &band, Footer: &band}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C&P / &N"}); err != nil {
		return err
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet,
		RefersTo: "'" + strings.ReplaceAll(sheet, "'", "''") + "'!$1:$1"})
}
