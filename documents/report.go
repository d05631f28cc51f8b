package documents

import (
	"slices"
	"time"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Figures are what the attendance report shows, as the store counts them.
type Figures struct {
	Stats      *store.Stats           // store.EventStats: attendance per day, and the whole event's counts
	Registered *store.RegisteredByDay // store.EventRegisteredByDay: registrations per chosen day
	// Generated is when the figures were read, printed on the report.
	Generated time.Time
}

// reportRow is one line of a report table: a delegation, a role or the
// total, with registered and attended people per event day and for the
// whole event.
type reportRow struct {
	label                string
	registered, attended []int // by day, in the event's order
	regTotal, attTotal   int
}

// reportTable is one of the report's tables.
type reportTable struct {
	title, head string // the table's title, the first column's heading
	rows        []reportRow
	total       reportRow
}

// reportTables builds the report's two tables in l's language: by
// delegation (sorted by name as a reader of l's language expects; only
// delegations with someone registered or attending) and by role (in
// domain.Roles order), each with its total.
func reportTables(ev *domain.Event, f Figures, l *i18n.Localizer) (byDelegation, byRole reportTable) {
	days := ev.Days()
	row := func(label string, c store.Counts, reg map[domain.Date]int) reportRow {
		r := reportRow{label: label, regTotal: c.Registered, attTotal: c.Attended,
			registered: make([]int, len(days)), attended: make([]int, len(days))}
		for i, d := range days {
			r.registered[i], r.attended[i] = reg[d], c.AttendedByDay[d]
		}
		return r
	}
	reg := f.Registered
	if reg == nil { // no per-day registrations: the days show 0
		reg = &store.RegisteredByDay{}
	}
	byDelegation.total = row(l.T("doc.report.total", nil), f.Stats.Total, reg.Total)
	byRole.total = byDelegation.total

	byDelegation.title, byDelegation.head = l.T("doc.report.by_delegation", nil), l.T("doc.column.delegation", nil)
	for _, d := range f.Stats.ByDelegation {
		if d.Registered == 0 && d.Attended == 0 {
			continue // only cancelled or expired registrations: nobody to report
		}
		byDelegation.rows = append(byDelegation.rows, row(delegationName(d.Delegation, l), d.Counts, reg.ByDelegation[d.Delegation]))
	}
	col := collate.New(language.Make(l.Lang()))
	slices.SortStableFunc(byDelegation.rows, func(a, b reportRow) int { return col.CompareString(a.label, b.label) })

	byRole.title, byRole.head = l.T("doc.report.by_role", nil), l.T("doc.column.role", nil)
	for _, r := range f.Stats.ByRole {
		if r.Registered == 0 && r.Attended == 0 {
			continue
		}
		byRole.rows = append(byRole.rows, row(l.Role(r.Role), r.Counts, reg.ByRole[r.Role]))
	}
	return byDelegation, byRole
}
