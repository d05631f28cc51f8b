package admin

import (
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// answerTable is the answers to one question counted per option.
type answerTable struct {
	ID, Caption string
	Rows        []answerCount
}

type answerCount struct {
	Label   string
	Removed bool
	Count   int
}

// newAnswerTables labels st's answer counts in l's language.
func newAnswerTables(ev *domain.Event, st *store.Stats, l *i18n.Localizer) []answerTable {
	var out []answerTable
	for _, qc := range st.Answers {
		q, known := ev.Questions.Find(qc.Key)
		label := qc.Label
		if known {
			label = l.Text(q.Label, ev.Languages)
		}
		t := answerTable{ID: "answers-" + qc.Key, Caption: l.T("admin.answers.caption", map[string]any{"Field": label})}
		for _, o := range qc.Options {
			name := o.Label
			if known {
				var v any = o.Value
				if q.Type == domain.QuestionYesNo {
					v = o.Value == "yes"
				}
				name = l.Answer(q, v, ev.Languages)
			}
			t.Rows = append(t.Rows, answerCount{Label: name, Removed: o.Removed, Count: o.Count})
		}
		out = append(out, t)
	}
	return out
}

// statsTable is store.Stats by country as the page's table: one line per
// country, with a column per event day when there are several.
type statsTable struct {
	Days []string // the day columns' headings; none for a one-day event
	// Approval shows the columns of applications awaiting approval and
	// rejected: the event requires approval, or did when they applied.
	// Registered then counts the registrations past approval (holding a
	// seat or on the waiting list), the undecided applications apart.
	Approval bool
	Rows     []statsLine
	Total    statsLine
}

type statsLine struct {
	Name                              string
	Registered, Confirmed, Waitlisted int
	Cancelled, Expired, Attended      int
	Awaiting, Rejected                int  // applications not decided yet, and turned down
	Approval                          bool // the table shows Awaiting and Rejected (statsTable.Approval)
	ByDay                             []int
}

func newStatsLine(name string, c store.Counts, days []domain.Date) statsLine {
	l := statsLine{Name: name, Registered: c.Registered, Confirmed: c.Confirmed, Waitlisted: c.Waitlisted,
		Cancelled: c.Cancelled, Expired: c.Expired, Attended: c.Attended, Awaiting: c.AwaitingApproval, Rejected: c.Rejected}
	if len(days) > 1 {
		for _, d := range days {
			l.ByDay = append(l.ByDay, c.AttendedByDay[d])
		}
	}
	return l
}

// separateApplications shows the undecided applications apart from the
// registrations counted as registered.
func (l *statsLine) separateApplications() {
	l.Approval = true
	l.Registered -= l.Awaiting
}

// roleTable is the people registered for each delegation in each role: a
// line per delegation, a column per role that occurs, totals both ways.
type roleTable struct {
	Roles  []string // the columns' headings
	Rows   []roleLine
	Totals []int // by role
	Total  int
}

type roleLine struct {
	Name  string
	Cells []int // by role, in Roles order
	Total int
}

func newRoleTable(st *store.Stats, l *i18n.Localizer) roleTable {
	t := roleTable{Total: st.Total.Registered}
	col := make(map[string]int, len(st.ByRole))
	for i, rs := range st.ByRole {
		col[rs.Role] = i
		t.Roles = append(t.Roles, l.Role(rs.Role))
		t.Totals = append(t.Totals, rs.Registered)
	}
	row := make(map[string]int, len(st.ByDelegation))
	for i, ds := range st.ByDelegation {
		row[ds.Delegation] = i
		t.Rows = append(t.Rows, roleLine{Name: l.Delegation(ds.Delegation), Cells: make([]int, len(st.ByRole)), Total: ds.Registered})
	}
	for _, c := range st.ByDelegationRole {
		i, ok := row[c.Delegation]
		j, known := col[c.Role]
		if ok && known {
			t.Rows[i].Cells[j] = c.Registered
		}
	}
	return t
}

func (s *Admin) statsTable(ev *domain.Event, st *store.Stats, l *i18n.Localizer) statsTable {
	var t statsTable
	if len(st.Days) > 1 {
		for _, d := range st.Days {
			// The year is the event's: the headings stay short enough for one line.
			t.Days = append(t.Days, i18n.FormatDayMonth(l.Lang(), d.In(ev.Location())))
		}
	}
	for _, ds := range st.ByDelegation {
		t.Rows = append(t.Rows, newStatsLine(l.Delegation(ds.Delegation), ds.Counts, st.Days))
	}
	t.Total = newStatsLine(l.T("admin.stats.total", nil), st.Total, st.Days)
	t.Approval = ev.RequiresApproval || st.Total.AwaitingApproval > 0 || st.Total.Rejected > 0
	if t.Approval {
		for i := range t.Rows {
			t.Rows[i].separateApplications()
		}
		t.Total.separateApplications()
	}
	return t
}
