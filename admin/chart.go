package admin

import (
	"math"

	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// barChart is the per-delegation chart on an event's dashboard page: for
// each delegation (a country, or an organization such as the OECD), one bar of the people registered and one of those who attended
// on any day. It is drawn on the server as inline SVG, so it needs no
// script and no other site; its shapes take their colours from classes in
// the stylesheet (the page's CSP forbids inline styles). The statistics
// table next to it carries the same numbers as text.
//
// An SVG scales its text with its width, so one drawing cannot suit both a
// desktop and a phone: 640 units shrunk onto a 390-pixel phone left 6-pixel
// labels. The chart is drawn twice, and the stylesheet shows one: Wide,
// labels beside the bars, on screens of 40rem and more; Narrow, labels
// above the bars in a drawing about as wide as a phone, below that.
type barChart struct{ Wide, Narrow chartLayout }

// chartLayout is one drawing of the chart, in SVG user units (pixels at
// its natural size). ID names the svg element; ids of its title and
// description derive from it.
type chartLayout struct {
	ID, Class            string
	Title, Desc          string
	Registered, Attended string // the legend's words
	Width, Height        int
	Legend               [2]legendItem // registered, attended
	BarX, BarH           int
	LabelX               int
	LabelAnchor          string // text-anchor of the country names
	Rows                 []barRow
}

// legendItem is a legend swatch at (X, Y) with its text at TextX, TextY.
type legendItem struct{ X, Y, TextX, TextY int }

// barRow is one country: its label and its two bars.
type barRow struct {
	Label                string
	LabelY               int
	RegY, AttY           int
	RegW, AttW           int
	RegTextX, AttTextX   int
	RegTextY, AttTextY   int
	Registered, Attended int
}

// Geometry of the two drawings.
const (
	chartPairGap = 3 // between a country's two bars

	wideWidth      = 640
	wideLabelRight = 172 // labels end here, right-aligned
	wideBarX       = 180
	wideBarMax     = 400
	wideBarH       = 14
	wideRowGap     = 14 // between countries
	wideTop        = 34 // below the legend
	wideLabelRunes = 24 // longer country names are shortened

	narrowWidth      = 320
	narrowBarMax     = 270 // leaves room for a three-digit value
	narrowBarH       = 12
	narrowLabelH     = 20 // a country's name above its bars
	narrowRowGap     = 16
	narrowTop        = 50 // below the legend's two lines
	narrowLabelRunes = 36
)

// newBarChart lays out the chart of st's countries, or returns nil when no
// one has registered yet.
func newBarChart(st *store.Stats, l *i18n.Localizer) *barChart {
	if len(st.ByDelegation) == 0 {
		return nil
	}
	most := 1
	for _, ds := range st.ByDelegation {
		most = max(most, ds.Registered, ds.Attended)
	}
	ch := &barChart{Wide: wideLayout(st, l, most), Narrow: narrowLayout(st, l, most)}
	ch.Wide.ID, ch.Wide.Class = "chart", "chart-wide"
	ch.Narrow.ID, ch.Narrow.Class = "chart-narrow", "chart-narrow"
	for _, c := range []*chartLayout{&ch.Wide, &ch.Narrow} {
		c.Title, c.Desc = l.T("admin.chart.title_delegation", nil), l.T("admin.chart.desc_delegation", nil)
		c.Registered, c.Attended = l.T("admin.stats.registered", nil), l.T("admin.stats.attended_any", nil)
	}
	return ch
}

// barWidth scales n people to a bar at most longest units long; anyone at
// all gets a visible bar.
func barWidth(n, most, longest int) int {
	if n == 0 {
		return 0
	}
	return max(2, int(math.Round(float64(n)*float64(longest)/float64(most))))
}

func wideLayout(st *store.Stats, l *i18n.Localizer, most int) chartLayout {
	c := chartLayout{Width: wideWidth, BarX: wideBarX, BarH: wideBarH, LabelX: wideLabelRight, LabelAnchor: "end",
		Legend: [2]legendItem{{X: wideBarX, Y: 6, TextX: wideBarX + 18, TextY: 16},
			{X: wideBarX + 200, Y: 6, TextX: wideBarX + 218, TextY: 16}}}
	y := wideTop
	for _, cs := range st.ByDelegation {
		r := barRow{Label: shorten(l.Delegation(cs.Delegation), wideLabelRunes), Registered: cs.Registered, Attended: cs.Attended,
			RegY: y, AttY: y + wideBarH + chartPairGap,
			RegW: barWidth(cs.Registered, most, wideBarMax), AttW: barWidth(cs.Attended, most, wideBarMax)}
		r.LabelY = y + wideBarH + 4
		r.RegTextX, r.RegTextY = wideBarX+r.RegW+6, r.RegY+wideBarH-2
		r.AttTextX, r.AttTextY = wideBarX+r.AttW+6, r.AttY+wideBarH-2
		c.Rows = append(c.Rows, r)
		y += 2*wideBarH + chartPairGap + wideRowGap
	}
	c.Height = y - wideRowGap + 8
	return c
}

func narrowLayout(st *store.Stats, l *i18n.Localizer, most int) chartLayout {
	c := chartLayout{Width: narrowWidth, BarX: 0, BarH: narrowBarH, LabelX: 0, LabelAnchor: "start",
		Legend: [2]legendItem{{X: 0, Y: 4, TextX: 20, TextY: 15}, {X: 0, Y: 26, TextX: 20, TextY: 37}}}
	y := narrowTop
	for _, cs := range st.ByDelegation {
		r := barRow{Label: shorten(l.Delegation(cs.Delegation), narrowLabelRunes), Registered: cs.Registered, Attended: cs.Attended,
			LabelY: y + narrowLabelH - 6, RegY: y + narrowLabelH, AttY: y + narrowLabelH + narrowBarH + chartPairGap,
			RegW: barWidth(cs.Registered, most, narrowBarMax), AttW: barWidth(cs.Attended, most, narrowBarMax)}
		r.RegTextX, r.RegTextY = r.RegW+6, r.RegY+narrowBarH-1
		r.AttTextX, r.AttTextY = r.AttW+6, r.AttY+narrowBarH-1
		c.Rows = append(c.Rows, r)
		y += narrowLabelH + 2*narrowBarH + chartPairGap + narrowRowGap
	}
	c.Height = y - narrowRowGap + 8
	return c
}

// shorten cuts s to n characters, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
