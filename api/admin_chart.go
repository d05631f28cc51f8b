package api

import (
	"math"

	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// barChart is the per-country chart on an event's dashboard page: for each
// country, one bar of the people registered and one of those who attended
// on any day. It is drawn on the server as inline SVG, so it needs no
// script and no other site; its shapes take their colours from classes in
// the stylesheet (the page's CSP forbids inline styles). The statistics
// table next to it carries the same numbers as text.
type barChart struct {
	Width, Height int
	Rows          []barRow
	// Legend geometry.
	LegendAttX, LegendAttTextX int
}

// barRow is one country: its label and its two bars, in SVG user units.
type barRow struct {
	Label                string
	LabelY               int
	RegY, AttY           int
	RegW, AttW           int
	RegTextX, AttTextX   int
	RegTextY, AttTextY   int
	Registered, Attended int
}

// Chart geometry, in SVG user units (pixels at the natural size).
const (
	chartWidth      = 640
	chartLabelRight = 172 // labels end here, right-aligned
	chartBarX       = 180
	chartBarMax     = 400
	chartBarH       = 14
	chartPairGap    = 3  // between a country's two bars
	chartRowGap     = 14 // between countries
	chartTop        = 34 // below the legend
	chartLabelRunes = 24 // longer country names are shortened
)

// newBarChart lays out the chart of st's countries, or returns nil when no
// one has registered yet.
func newBarChart(st *store.Stats, l *i18n.Localizer) *barChart {
	if len(st.ByCountry) == 0 {
		return nil
	}
	most := 1
	for _, cs := range st.ByCountry {
		most = max(most, cs.Registered, cs.Attended)
	}
	width := func(n int) int {
		if n == 0 {
			return 0
		}
		return max(2, int(math.Round(float64(n)*chartBarMax/float64(most))))
	}
	ch := &barChart{Width: chartWidth, LegendAttX: chartBarX + 200, LegendAttTextX: chartBarX + 218}
	y := chartTop
	for _, cs := range st.ByCountry {
		r := barRow{Label: shorten(l.Country(cs.Country), chartLabelRunes), Registered: cs.Registered, Attended: cs.Attended,
			RegY: y, AttY: y + chartBarH + chartPairGap, RegW: width(cs.Registered), AttW: width(cs.Attended)}
		r.LabelY = y + chartBarH + 4
		r.RegTextX, r.RegTextY = chartBarX+r.RegW+6, r.RegY+chartBarH-3
		r.AttTextX, r.AttTextY = chartBarX+r.AttW+6, r.AttY+chartBarH-3
		ch.Rows = append(ch.Rows, r)
		y += 2*chartBarH + chartPairGap + chartRowGap
	}
	ch.Height = y - chartRowGap + 8
	return ch
}

// shorten cuts s to n characters, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
