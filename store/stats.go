package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/attend/attend/domain"
)

// Counts are the registration and attendance numbers of one group of
// registrations (a country, a role, or the whole event).
type Counts struct {
	// Registered counts registrations still in play: pending, confirmed,
	// waitlisted or awaiting approval (not cancelled, expired or rejected).
	Registered int `json:"registered"`
	Confirmed  int `json:"confirmed"`
	Pending    int `json:"pending"`
	Waitlisted int `json:"waitlisted"`
	Cancelled  int `json:"cancelled"`
	Expired    int `json:"expired"`
	// AwaitingApproval and Rejected are the applications of an event that
	// requires approval, not yet decided and turned down.
	AwaitingApproval int `json:"awaiting_approval"`
	Rejected         int `json:"rejected"`
	// AttendedByDay has every event day as a key, with the number of people
	// checked in that day. Check-ins count whatever the registration's
	// status is now: a person who attended and later cancelled attended.
	AttendedByDay map[domain.Date]int `json:"attended_by_day"`
	// Attended counts people checked in on at least one event day.
	Attended int `json:"attended"`
}

// CountryStats are the counts of one participants' country.
type CountryStats struct {
	Country string `json:"country"` // ISO 3166-1 alpha-2
	Name    string `json:"name"`    // English name
	Counts
}

// RoleStats are the counts of one participants' role.
type RoleStats struct {
	Role string `json:"role"`
	Counts
}

// CountryRoleCounts are the numbers of the participants of one country in
// one role: Registered and Attended as in Counts.
type CountryRoleCounts struct {
	Country    string
	Role       string
	Registered int
	Attended   int
}

// DelegationStats are the counts of one delegation: a country, or an
// international organization (see domain.Delegations).
type DelegationStats struct {
	Delegation string `json:"delegation"` // ISO 3166-1 alpha-2, or an organization's code
	Name       string `json:"name"`       // English name (an organization's short name)
	Counts
}

// DelegationRoleCounts are the numbers of one delegation's participants in
// one role: Registered and Attended as in Counts.
type DelegationRoleCounts struct {
	Delegation string
	Role       string
	Registered int
	Attended   int
}

// Stats are an event's registration and attendance numbers.
type Stats struct {
	Days      []domain.Date  `json:"days"` // the event's days, for clients that draw a column each
	Total     Counts         `json:"total"`
	ByCountry []CountryStats `json:"by_country"` // by country code
	ByRole    []RoleStats    `json:"by_role"`    // in domain.Roles order
	// ByDelegation counts by whom participants represent ("OECD", not the
	// country its staff live in), by code.
	ByDelegation []DelegationStats `json:"by_delegation"`
	// ByCountryRole crosses the two, for the dashboard's table of countries
	// by role: every country and role that occur together, by country code
	// and then in domain.Roles order. The API does not show it (yet).
	ByCountryRole []CountryRoleCounts `json:"-"`
	// ByDelegationRole is ByCountryRole by delegation, for the dashboard's
	// chart.
	ByDelegationRole []DelegationRoleCounts `json:"-"`
	// Answers count, for each question answered by choosing (single and
	// multiple choice, yes or no), the registrations in play (Registered)
	// that chose each option. See AnswerCounts.
	Answers []QuestionCounts `json:"answers"`
}

// Grouping bits of statsQuery's GROUPING(delegation, country, role, day):
// a set bit means the column is aggregated away in that row.
const (
	groupCountryRole    = 0b1001 // (country, role)
	groupCountry        = 0b1011 // (country)
	groupCountryDay     = 0b1010 // (country, day)
	groupRole           = 0b1101 // (role)
	groupRoleDay        = 0b1100 // (role, day)
	groupDay            = 0b1110 // (day)
	groupTotal          = 0b1111 // ()
	groupDelegation     = 0b0111 // (delegation)
	groupDelegationDay  = 0b0110 // (delegation, day)
	groupDelegationRole = 0b0101 // (delegation, role)
)

// statsQuery counts an event's registrations for every view at once, from
// its tallies (migration 00012), in one statement of two halves. The first
// half counts registrations by status, with "attended" meaning checked in
// on any of the event's current days; the second counts check-ins per day,
// which the primary key makes one per person and day. GROUPING bits are
// made to match across halves: a set bit means the column is aggregated
// away in that row. A registration without a delegation represents its
// country. A group appears when it counts someone, as when the counts were
// taken from the rows themselves (store/stats_test.go holds the two equal).
const statsQuery = `
	WITH e AS (SELECT starts_on, ends_on FROM events WHERE id = $1),
	t AS (SELECT country, role, delegation, status, day, attended, n FROM registration_tallies WHERE event_id = $1)
	SELECT (GROUPING(t.delegation, t.country, t.role) << 1) | 1 AS grp,
		coalesce(t.delegation, '') AS delegation,
		coalesce(t.country, '') AS country, coalesce(t.role, '') AS role, NULL::date AS day,
		coalesce(sum(n) FILTER (WHERE t.status IN ('pending', 'confirmed', 'waitlisted', 'awaiting_approval')), 0)::int AS registered,
		coalesce(sum(n) FILTER (WHERE t.status = 'confirmed'), 0)::int AS confirmed,
		coalesce(sum(n) FILTER (WHERE t.status = 'pending'), 0)::int AS pending,
		coalesce(sum(n) FILTER (WHERE t.status = 'waitlisted'), 0)::int AS waitlisted,
		coalesce(sum(n) FILTER (WHERE t.status = 'cancelled'), 0)::int AS cancelled,
		coalesce(sum(n) FILTER (WHERE t.status = 'expired'), 0)::int AS expired,
		coalesce(sum(n) FILTER (WHERE t.status = 'awaiting_approval'), 0)::int AS awaiting_approval,
		coalesce(sum(n) FILTER (WHERE t.status = 'rejected'), 0)::int AS rejected,
		coalesce(sum(n) FILTER (WHERE t.attended), 0)::int AS attended
	FROM t
	WHERE t.day IS NULL
	GROUP BY GROUPING SETS ((t.country), (t.role), (t.country, t.role), (),
		(t.delegation), (t.delegation, t.role))
	HAVING sum(n) > 0
	UNION ALL
	SELECT GROUPING(t.delegation, t.country, t.role, t.day) AS grp,
		coalesce(t.delegation, '') AS delegation,
		coalesce(t.country, '') AS country, coalesce(t.role, '') AS role, t.day,
		0, 0, 0, 0, 0, 0, 0, 0, sum(n)::int AS attended
	FROM t CROSS JOIN e
	WHERE t.day BETWEEN e.starts_on AND e.ends_on
	GROUP BY GROUPING SETS ((t.country, t.day), (t.role, t.day), (t.day), (t.delegation, t.day))
	HAVING sum(n) > 0`

// foldTallies folds the rows appended to an event's tallies since the last
// fold into one folded row per group, in one statement, so that reading the
// statistics reads about one row per group whatever the event's size and
// its history. Concurrent folds take turns on the rows they both see.
const foldTallies = `
	WITH gone AS (
		DELETE FROM registration_tallies WHERE event_id = $1 AND NOT folded
		RETURNING country, role, delegation, status, day, attended, n)
	INSERT INTO registration_tallies (event_id, country, role, delegation, status, day, attended, n, folded)
	SELECT $1, country, role, delegation, status, day, attended, sum(n), true
	FROM gone GROUP BY country, role, delegation, status, day, attended
	ON CONFLICT (event_id, country, role, delegation, status, coalesce(day, 'epoch'::date), attended) WHERE folded
	DO UPDATE SET n = registration_tallies.n + EXCLUDED.n`

type statsRow struct {
	Grouping   int          `db:"grp"`
	Delegation string       `db:"delegation"`
	Country    string       `db:"country"`
	Role       string       `db:"role"`
	Day        sql.NullTime `db:"day"`
	Registered int          `db:"registered"`
	Confirmed  int          `db:"confirmed"`
	Pending    int          `db:"pending"`
	Waitlisted int          `db:"waitlisted"`
	Cancelled  int          `db:"cancelled"`
	Expired    int          `db:"expired"`
	Awaiting   int          `db:"awaiting_approval"`
	Rejected   int          `db:"rejected"`
	Attended   int          `db:"attended"`
}

// EventStats counts an event's registrations by status and attendance, for
// the event, by country, by role and by both, with one query.
func (s *Store) EventStats(ctx context.Context, ev *domain.Event) (*Stats, error) {
	var rows []statsRow
	if _, err := s.db.ExecContext(ctx, foldTallies, ev.ID); err != nil {
		return nil, fmt.Errorf("store: fold tallies: %w", unavailable(err))
	}
	if err := s.db.SelectContext(ctx, &rows, statsQuery, ev.ID); err != nil {
		return nil, fmt.Errorf("store: event stats: %w", unavailable(err))
	}
	days := ev.Days()
	newCounts := func() Counts {
		c := Counts{AttendedByDay: make(map[domain.Date]int, len(days))}
		for _, d := range days {
			c.AttendedByDay[d] = 0
		}
		return c
	}
	st := &Stats{Days: days, Total: newCounts(), ByCountry: []CountryStats{}, ByRole: []RoleStats{}}
	countries := map[string]*Counts{}
	roles := map[string]*Counts{}
	delegations := map[string]*Counts{}
	group := func(m map[string]*Counts, key string) *Counts {
		if c, ok := m[key]; ok {
			return c
		}
		c := newCounts()
		m[key] = &c
		return &c
	}
	for _, r := range rows {
		var target *Counts
		switch r.Grouping {
		case groupCountryRole:
			st.ByCountryRole = append(st.ByCountryRole, CountryRoleCounts{Country: r.Country, Role: r.Role,
				Registered: r.Registered, Attended: r.Attended})
			continue
		case groupDelegationRole:
			st.ByDelegationRole = append(st.ByDelegationRole, DelegationRoleCounts{Delegation: r.Delegation, Role: r.Role,
				Registered: r.Registered, Attended: r.Attended})
			continue
		case groupDelegation, groupDelegationDay:
			target = group(delegations, r.Delegation)
		case groupTotal, groupDay:
			target = &st.Total
		case groupCountry, groupCountryDay:
			target = group(countries, r.Country)
		case groupRole, groupRoleDay:
			target = group(roles, r.Role)
		default:
			return nil, fmt.Errorf("store: event stats: unexpected grouping %b", r.Grouping)
		}
		if r.Grouping&1 == 0 { // grouped by day: that day's attendance only
			if r.Day.Valid {
				target.AttendedByDay[domain.DateOf(r.Day.Time)] = r.Attended
			}
			continue
		}
		target.Registered, target.Confirmed, target.Pending = r.Registered, r.Confirmed, r.Pending
		target.Waitlisted, target.Cancelled, target.Expired = r.Waitlisted, r.Cancelled, r.Expired
		target.AwaitingApproval, target.Rejected = r.Awaiting, r.Rejected
		target.Attended = r.Attended
	}
	for code, c := range countries {
		st.ByCountry = append(st.ByCountry, CountryStats{Country: code, Name: domain.CountryName(code), Counts: *c})
	}
	slices.SortFunc(st.ByCountry, func(a, b CountryStats) int { return strings.Compare(a.Country, b.Country) })
	st.ByDelegation = make([]DelegationStats, 0, len(delegations))
	for code, c := range delegations {
		st.ByDelegation = append(st.ByDelegation, DelegationStats{Delegation: code, Name: s.delegations().Name(code), Counts: *c})
	}
	slices.SortFunc(st.ByDelegation, func(a, b DelegationStats) int { return strings.Compare(a.Delegation, b.Delegation) })
	slices.SortFunc(st.ByDelegationRole, func(a, b DelegationRoleCounts) int {
		if c := strings.Compare(a.Delegation, b.Delegation); c != 0 {
			return c
		}
		return slices.Index(domain.Roles, a.Role) - slices.Index(domain.Roles, b.Role)
	})
	for _, role := range domain.Roles {
		if c, ok := roles[role]; ok {
			st.ByRole = append(st.ByRole, RoleStats{Role: role, Counts: *c})
		}
	}
	slices.SortFunc(st.ByCountryRole, func(a, b CountryRoleCounts) int {
		if c := strings.Compare(a.Country, b.Country); c != 0 {
			return c
		}
		return slices.Index(domain.Roles, a.Role) - slices.Index(domain.Roles, b.Role)
	})
	var err error
	if st.Answers, err = s.AnswerCounts(ctx, ev); err != nil {
		return nil, err
	}
	return st, nil
}
