package bench

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DataOptions bound parts 4 and 5.
type DataOptions struct {
	Registrations int // generated for one two-day event
	Requests      int // sequential requests per organizer view
	// Budget bounds the time of one view's requests: a slow view gets
	// fewer than Requests, and the row says how many.
	Budget time.Duration
	// StatsP99 is the target for the statistics' p99.
	StatsP99 time.Duration
}

// seedCountries weights the generated participants' countries: a regional
// event with a long tail.
const seedCountries = `ARRAY['UZ','UZ','UZ','UZ','UZ','UZ','KZ','KZ','KG','TJ','TM','RU','RU','AF','AZ','GE','AM','TR','IR','CN',
	'IN','PK','DE','FR','GB','US','KR','JP','IT','ES','PL','UA','BY','MN','AE']`

// seedAttendees fills a two-day event (created through the API) with n
// registrations in bulk SQL, with realistic statuses, and check-ins on both
// days for most confirmed participants; then ANALYZE, as autovacuum would.
//
// Statuses: 70% confirmed, 15% pending, 10% cancelled, 5% expired.
// Check-ins: day 1 for 80% of the confirmed, day 2 for 65%.
func seedAttendees(ctx context.Context, db *sql.DB, slug string, n int) (int64, error) {
	var eventID int64
	var orgID int64
	if err := db.QueryRowContext(ctx, `
		SELECT e.id, eo.organizer_id FROM events e JOIN event_organizers eo ON eo.event_id = e.id
		WHERE e.slug = $1`, slug).Scan(&eventID, &orgID); err != nil {
		return 0, fmt.Errorf("bench: find event %s: %w", slug, err)
	}
	_, err := db.ExecContext(ctx, `
		INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
			organization, position, role, language, days, checkin_code, consent_at, created_at,
			confirmed_at, cancelled_at, email_verified_at)
		SELECT $1,
			CASE WHEN i % 20 < 14 THEN 'confirmed' WHEN i % 20 < 17 THEN 'pending'
			     WHEN i % 20 < 19 THEN 'cancelled' ELSE 'expired' END,
			(ARRAY['Aziz','Dilnoza','Olga','Timur','Anna','Rustam','Malika','Sergei','Nodira','John'])[1 + i % 10],
			'Participant-' || i,
			'p' || i || '@example.org',
			CASE WHEN i % 3 = 0 THEN '' ELSE '+99871' || lpad((i % 10000000)::text, 7, '0') END,
			(`+seedCountries+`)[1 + (i::bigint * 7919) % 35],
			'Organization ' || (i % 1500),
			CASE WHEN i % 4 = 0 THEN '' ELSE 'Engineer' END,
			(ARRAY['expert','practitioner','researcher','student','speaker','organizer','other'])[1 + i % 7],
			(ARRAY['en','ru','uz'])[1 + i % 3],
			CASE WHEN i % 5 = 0 THEN ARRAY[e.starts_on] ELSE ARRAY[e.starts_on, e.ends_on] END,
			'B' || lpad(i::text, 7, '0'),
			ts, ts,
			CASE WHEN i % 20 < 14 THEN ts + interval '1 hour' END,
			CASE WHEN i % 20 IN (17, 18) THEN ts + interval '2 days' END,
			CASE WHEN i % 20 < 14 THEN ts + interval '1 hour' END
		FROM generate_series(1, $2) AS i
		CROSS JOIN events e
		CROSS JOIN LATERAL (SELECT now() - interval '60 days' + i * interval '50 seconds' AS ts) t
		WHERE e.id = $1`, eventID, n)
	if err != nil {
		return 0, fmt.Errorf("bench: seed registrations: %w", err)
	}
	_, err = db.ExecContext(ctx, `
		INSERT INTO checkins (registration_id, event_id, day, checked_in_at, checked_in_by)
		SELECT r.id, r.event_id, d.day,
			(d.day + time '08:30' + (abs(hashtext(r.id::text)) % 7200) * interval '1 second') AT TIME ZONE e.timezone, $2
		FROM registrations r JOIN events e ON e.id = r.event_id
		CROSS JOIN LATERAL (VALUES (e.starts_on, 80), (e.ends_on, 65)) AS d(day, pct)
		WHERE r.event_id = $1 AND r.status = 'confirmed' AND abs(hashtext(r.id::text || d.day::text)) % 100 < d.pct
		  AND d.day = ANY(r.days)`, eventID, orgID)
	if err != nil {
		return 0, fmt.Errorf("bench: seed check-ins: %w", err)
	}
	if _, err := db.ExecContext(ctx, `
		SELECT spread_seats($1, (SELECT count(*)::int FROM registrations
			WHERE event_id = $1 AND status IN ('pending', 'confirmed')))`, eventID); err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return 0, err
	}
	return eventID, nil
}

// seedSummary describes the generated data, for the notes.
func seedSummary(ctx context.Context, db *sql.DB, eventID int64) (string, error) {
	var regs, checkins int
	var size string
	err := db.QueryRowContext(ctx, `
		SELECT (SELECT count(*) FROM registrations WHERE event_id = $1),
		       (SELECT count(*) FROM checkins WHERE event_id = $1),
		       pg_size_pretty(pg_total_relation_size('registrations') + pg_total_relation_size('checkins'))`, eventID).
		Scan(&regs, &checkins, &size)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d registrations and %d check-ins over two days for one event (tables with indexes: %s)", regs, checkins, size), nil
}

// seedLargeEvent fills the event slug with n generated registrations and
// their check-ins, and describes what it made.
func seedLargeEvent(ctx context.Context, e *Env, dsn, part, slug string, n int) (eventID int64, summary string, err error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return 0, "", err
	}
	defer db.Close()
	e.Log.Printf("%s: generating %d registrations", part, n)
	if eventID, err = seedAttendees(ctx, db, slug, n); err != nil {
		return 0, "", err
	}
	summary, err = seedSummary(ctx, db, eventID)
	return eventID, summary, err
}
