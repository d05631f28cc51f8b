package store

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// Participant is one person as the workshop's papers (sign-in sheets,
// badges, certificates) show them.
type Participant struct {
	ID           string
	Status       domain.Status
	FirstName    string
	LastName     string
	Organization string
	Country      string // ISO 3166-1 alpha-2
	Role         string
	Language     string
	CheckinCode  string
	// LatinName is the name in Latin script, as in the passport, when the
	// person gave one (first name, then last name); the papers show it when
	// it differs from FirstName and LastName.
	LatinName string
	// Delegation is whom the person represents, what the papers group
	// people by: a country's code (by default the person's country) or an
	// international organization's.
	Delegation string
	// Days are the event days the person registered for.
	Days []domain.Date
	// Attended are the event days the person was checked in on, in order:
	// their number is what a certificate rule counts.
	Attended []domain.Date
}

// ParticipantOrder is the order in which Participants lists people.
type ParticipantOrder int

const (
	// ByDelegation lists people by delegation, then by surname.
	ByDelegation ParticipantOrder = iota
	// BySurname lists people by surname, then first name.
	BySurname
)

// ParticipantFilter chooses the people Participants lists, and their order.
type ParticipantFilter struct {
	// Day, when set, keeps the people expected on that day: those who
	// registered for it.
	Day domain.Date
	// IDs, when not empty, keeps only these registrations (a selection of
	// badges, one person's certificate).
	IDs []string
	// Attended lists people checked in on at least one event day, whatever
	// their status is now, for certificates; otherwise only confirmed
	// registrations are listed, the people expected at the door.
	Attended bool
	Order    ParticipantOrder
	// DelegationRank lists delegations (country and organization codes) in
	// the order the reader expects, such as i18n's country list sorted by name in the
	// document's language; delegations missing from it come after, by code.
	DelegationRank []string
}

// participantQuery reads the people of an event for the papers: never an
// erased registration (it has no name), always in a stable order (the id
// breaks ties). Attended days come from the check-ins' primary key,
// (registration_id, day), one index range per person.
const participantQuery = `
	SELECT r.id, r.status, r.first_name, r.last_name, r.organization, r.country, r.role,
		r.language, r.checkin_code, r.days::text[] AS days,
		coalesce(r.delegation, r.country) AS delegation,
		trim(r.latin_first_name || ' ' || r.latin_last_name) AS latin_name,
		coalesce((SELECT array_agg(c.day ORDER BY c.day)::text[] FROM checkins c
			WHERE c.registration_id = r.id AND c.day BETWEEN $2 AND $3), '{}') AS attended
	FROM registrations r
	WHERE r.event_id = $1 AND r.erased_at IS NULL`

// Participants lists the people of ev that f chooses, one at a time, as
// the papers draw them: each row is read from the connection when the
// caller asks for it, so memory holds one person however large the event.
// An error ends the sequence as its last element; stopping early cancels
// the query.
//
// As with EachAttendee, the query runs in a read-only transaction without
// the connection's statement timeout (the rows are read while a document
// is drawn, which can outlast a request's statement): ctx bounds it.
// Malformed ids in f.IDs are a validation error naming the field ids.
func (s *Store) Participants(ctx context.Context, ev *domain.Event, f ParticipantFilter) iter.Seq2[Participant, error] {
	return func(yield func(Participant, error) bool) {
		if err := s.eachParticipant(ctx, ev, f, func(p Participant) bool { return yield(p, nil) }); err != nil {
			yield(Participant{}, err)
		}
	}
}

func (s *Store) eachParticipant(ctx context.Context, ev *domain.Event, f ParticipantFilter, fn func(Participant) bool) error {
	var bad []domain.FieldError
	for i, id := range f.IDs {
		if !domain.ValidUUID(id) {
			bad = append(bad, domain.FieldError{Field: "ids[" + strconv.Itoa(i) + "]", Code: "uuid",
				Message: "Registration id must be a UUID."})
		}
	}
	if err := domain.ValidationError(bad); err != nil {
		return err
	}
	query, args := participantSQL(ev, f)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // before the rows close, so that stopping early does not read the rest
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: participants: %w", unavailable(err))
	}
	defer tx.Rollback() // read only: nothing to keep
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("store: participants: %w", unavailable(err))
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: participants: %w", unavailable(err))
	}
	defer rows.Close()
	for rows.Next() {
		var (
			p              Participant
			days, attended pq.StringArray
		)
		if err := rows.Scan(&p.ID, &p.Status, &p.FirstName, &p.LastName, &p.Organization, &p.Country, &p.Role,
			&p.Language, &p.CheckinCode, &days, &p.Delegation, &p.LatinName, &attended); err != nil {
			return fmt.Errorf("store: scan participant: %w", err)
		}
		if p.Days, err = parseDates(days); err != nil {
			return fmt.Errorf("store: participant days: %w", err)
		}
		if p.Attended, err = parseDates(attended); err != nil {
			return fmt.Errorf("store: participant check-ins: %w", err)
		}
		if !fn(p) {
			return nil
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: participants: %w", unavailable(err))
	}
	return nil
}

// participantSQL builds the query and arguments for f.
func participantSQL(ev *domain.Event, f ParticipantFilter) (string, []any) {
	var q strings.Builder
	q.WriteString(participantQuery)
	args := []any{ev.ID, ev.StartsOn.String(), ev.EndsOn.String()}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Attended {
		q.WriteString(` AND EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id AND c.day BETWEEN $2 AND $3)`)
	} else {
		q.WriteString(` AND r.status = 'confirmed'`)
	}
	if !f.Day.IsZero() {
		fmt.Fprintf(&q, ` AND %s::date = ANY (r.days)`, arg(f.Day.String()))
	}
	if len(f.IDs) > 0 {
		fmt.Fprintf(&q, ` AND r.id = ANY (%s::uuid[])`, arg(pq.StringArray(f.IDs)))
	}
	// Surnames compare case-insensitively; in the database's collation
	// (C.UTF-8 on Debian) Latin sorts before Cyrillic.
	byName := `lower(r.last_name), lower(r.first_name), r.id`
	if f.Order == ByDelegation {
		fmt.Fprintf(&q, ` ORDER BY array_position(%s::text[], coalesce(r.delegation, r.country)), coalesce(r.delegation, r.country), %s`,
			arg(pq.StringArray(f.DelegationRank)), byName)
	} else {
		q.WriteString(` ORDER BY ` + byName)
	}
	return q.String(), args
}

func parseDates(ss []string) ([]domain.Date, error) {
	if len(ss) == 0 {
		return nil, nil
	}
	out := make([]domain.Date, len(ss))
	for i, s := range ss {
		d, err := domain.ParseDate(s)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// RegisteredByDay counts, for each of an event's days, the registrations
// still in play (pending, confirmed or waitlisted, as Counts.Registered)
// that chose that day: by country, by role, by delegation and in all. With EventStats'
// AttendedByDay it makes the attendance report's table of registered and
// attended people per day. Every event day is a key of every map.
type RegisteredByDay struct {
	Total        map[domain.Date]int
	ByCountry    map[string]map[domain.Date]int
	ByRole       map[string]map[domain.Date]int
	ByDelegation map[string]map[domain.Date]int
}

// EventRegisteredByDay counts ev's registrations per day (RegisteredByDay)
// in one query.
func (s *Store) EventRegisteredByDay(ctx context.Context, ev *domain.Event) (*RegisteredByDay, error) {
	var rows []struct {
		Grouping   int         `db:"grp"`
		Delegation string      `db:"delegation"`
		Country    string      `db:"country"`
		Role       string      `db:"role"`
		Day        domain.Date `db:"day"`
		N          int         `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `
		WITH r AS (
			SELECT country, role, days, coalesce(delegation, country) AS delegation
			FROM registrations
			WHERE event_id = $1 AND status IN ('pending', 'confirmed', 'waitlisted'))
		SELECT GROUPING(r.delegation, r.country, r.role) AS grp, coalesce(r.delegation, '') AS delegation,
			coalesce(r.country, '') AS country, coalesce(r.role, '') AS role, d.day, count(*) AS n
		FROM r CROSS JOIN LATERAL unnest(r.days) AS d(day)
		WHERE d.day BETWEEN $2 AND $3
		GROUP BY GROUPING SETS ((r.country, d.day), (r.role, d.day), (d.day), (r.delegation, d.day))`,
		ev.ID, ev.StartsOn.String(), ev.EndsOn.String()); err != nil {
		return nil, fmt.Errorf("store: registered by day: %w", unavailable(err))
	}
	days := ev.Days()
	zero := func() map[domain.Date]int {
		m := make(map[domain.Date]int, len(days))
		for _, d := range days {
			m[d] = 0
		}
		return m
	}
	out := &RegisteredByDay{Total: zero(), ByCountry: map[string]map[domain.Date]int{}, ByRole: map[string]map[domain.Date]int{},
		ByDelegation: map[string]map[domain.Date]int{}}
	group := func(m map[string]map[domain.Date]int, key string) map[domain.Date]int {
		if _, ok := m[key]; !ok {
			m[key] = zero()
		}
		return m[key]
	}
	for _, r := range rows {
		switch r.Grouping {
		case 0b101: // (country, day)
			group(out.ByCountry, r.Country)[r.Day] = r.N
		case 0b110: // (role, day)
			group(out.ByRole, r.Role)[r.Day] = r.N
		case 0b011: // (delegation, day)
			group(out.ByDelegation, r.Delegation)[r.Day] = r.N
		case 0b111: // (day)
			out.Total[r.Day] = r.N
		default:
			return nil, fmt.Errorf("store: registered by day: unexpected grouping %b", r.Grouping)
		}
	}
	return out, nil
}
