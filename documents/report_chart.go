package documents

import (
	"strconv"
)

// chart draws the report's bar chart: for each delegation, a bar of the
// people registered and one of those who attended on any day, on one
// scale, with the numbers at the bars' ends; as the dashboard's chart
// shows them. A chart taller than the page continues on the next, with
// its legend again.
func (r *reportPDF) chart(rows []reportRow) {
	most := 0
	for _, row := range rows {
		most = max(most, row.regTotal, row.attTotal)
	}
	if most == 0 {
		return // no one registered: nothing to draw
	}
	rowH := 2*chartBarH + 0.8 + chartRowGap
	barX := reportMargin + chartLabelW + 2
	scale := (r.width() - chartLabelW - 2 - 12) / float64(most) // room for the number after the longest bar
	legend := func() {
		r.font(regular, 8, ink)
		x := reportMargin + chartLabelW + 2
		for _, item := range []struct {
			c    rgb
			text string
		}{{accent2, r.l.T("doc.report.registered", nil)}, {accent, r.l.T("doc.report.attended", nil)}} {
			r.fill(item.c)
			r.Rect(x, r.y+0.6, 3.5, 3, "F")
			r.textAt(x+5, r.y, 60, item.text, left)
			x += 5 + r.GetStringWidth(item.text) + 8
		}
		r.y += 7
	}

	// A chart that fits on one page is not split: it starts a page of its
	// own when the rest of this one is too short.
	whole := 11 + 7 + float64(len(rows))*rowH
	if r.y+whole > reportBottom && reportTop+40+whole <= reportBottom {
		r.start()
	}
	r.room(11 + 7 + rowH)
	r.title(r.l.T("doc.report.chart", nil))
	legend()
	for _, row := range rows {
		if r.room(rowH) {
			legend()
		}
		r.font(regular, 8.5, ink)
		r.textAt(reportMargin, r.y+chartBarH-r.lineHeight()/2+0.4, chartLabelW, r.ellipsize(row.label, chartLabelW), right)
		for i, bar := range []struct {
			n int
			c rgb
		}{{row.regTotal, accent2}, {row.attTotal, accent}} {
			y := r.y + float64(i)*(chartBarH+0.8)
			if w := float64(bar.n) * scale; w > 0 {
				r.fill(bar.c)
				r.Rect(barX, y, w, chartBarH, "F")
			}
			r.font(regular, 7, muted)
			r.textAt(barX+float64(bar.n)*scale+1.2, y+(chartBarH-r.lineHeight())/2+0.3, 12, strconv.Itoa(bar.n), left)
		}
		r.stroke(rule, 0.3) // the axis the bars start from
		r.Line(barX, r.y-chartRowGap/2, barX, r.y+rowH-chartRowGap/2)
		r.y += rowH
	}
	r.y += 4
}
