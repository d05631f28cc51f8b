package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/seal"
)

// mailEvent inserts an upcoming three-language event for the mail part.
func mailEvent(ctx context.Context, db *sql.DB) (int64, error) {
	var id int64
	start := time.Now().AddDate(0, 0, 30)
	err := db.QueryRowContext(ctx, `
		INSERT INTO events (slug, title, venue, city, country, timezone, starts_on, ends_on, languages)
		VALUES ('bench-mail', 'Bench mail workshop', 'Bench Hall', 'Tashkent', 'UZ', 'Asia/Tashkent', $1, $2, '{en,ru,uz}')
		RETURNING id`, start.Format("2006-01-02"), start.AddDate(0, 0, 1).Format("2006-01-02")).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("bench: insert event: %w", err)
	}
	_, err = db.ExecContext(ctx, `
		INSERT INTO event_organizers (event_id, organizer_id)
		SELECT $1, id FROM organizers WHERE email = $2`, id, organizerEmail)
	return id, err
}

// seedRegistrations inserts n registrations, numbered 1..n; odd ones are
// pending, even ones confirmed.
func seedRegistrations(ctx context.Context, db *sql.DB, eventID int64, n int) error {
	_, err := db.ExecContext(ctx, `
		INSERT INTO registrations (event_id, status, first_name, last_name, email, phone, country,
			organization, position, role, language, days, checkin_code, consent_at, confirmed_at)
		SELECT $1, CASE WHEN i % 2 = 1 THEN 'pending' ELSE 'confirmed' END,
			'Participant', 'Number ' || i, 'mail-' || i || '@example.org', '+998712345678', 'UZ',
			'Bench Org', 'Engineer', 'expert', (ARRAY['en','ru','uz'])[1 + i % 3],
			ARRAY[e.starts_on, e.ends_on], 'M' || lpad(i::text, 7, '0'), now(),
			CASE WHEN i % 2 = 0 THEN now() END
		FROM generate_series(1, $2) AS i, events e WHERE e.id = $1`, eventID, n)
	if err != nil {
		return fmt.Errorf("bench: seed registrations: %w", err)
	}
	_, err = db.ExecContext(ctx, `SELECT spread_seats($1, $2)`, eventID, n)
	return err
}

// queueEmails queues emails for registrations from+1 … from+n in one
// statement each for tokens and outbox rows, with real sealed link tokens.
func queueEmails(ctx context.Context, db *sql.DB, eventID int64, n, from int) error {
	rows, err := outboxRows(ctx, db, eventID, from, n, false)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := rows.insert(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify('attend_emails', '')`); err != nil {
		return err
	}
	return tx.Commit()
}

// queueSteadily queues n emails one transaction each at rate per second,
// marking their payload so their latency can be told apart.
func queueSteadily(ctx context.Context, db *sql.DB, eventID int64, from, n int, rate float64) error {
	all, err := outboxRows(ctx, db, eventID, from, n, true)
	if err != nil {
		return err
	}
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	for i := range all.ids {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			sleepCtx(ctx, wait)
		}
		one := all.slice(i)
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if err := one.insert(ctx, tx); err != nil {
			tx.Rollback()
			return err
		}
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify('attend_emails', '')`); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// outbox is a batch of outbox rows with their link tokens, as columns.
type outbox struct {
	ids, kinds, langs, recipients, names, payloads, messageIDs []string
	hashes                                                     [][]byte
	expires                                                    time.Time
	eventID                                                    int64
}

func (o outbox) slice(i int) outbox {
	return outbox{ids: o.ids[i : i+1], kinds: o.kinds[i : i+1], langs: o.langs[i : i+1],
		recipients: o.recipients[i : i+1], names: o.names[i : i+1], payloads: o.payloads[i : i+1],
		messageIDs: o.messageIDs[i : i+1], hashes: o.hashes[i : i+1], expires: o.expires, eventID: o.eventID}
}

func outboxRows(ctx context.Context, db *sql.DB, eventID int64, from, n int, steady bool) (outbox, error) {
	s, err := seal.New([]byte(secretKey))
	if err != nil {
		return outbox{}, err
	}
	o := outbox{eventID: eventID, expires: time.Now().AddDate(0, 2, 0)}
	rows, err := db.QueryContext(ctx, `
		SELECT id, status, language, email, first_name || ' ' || last_name FROM registrations
		WHERE event_id = $1 AND email = ANY($2) ORDER BY created_at, email`, eventID, pq.Array(mailAddresses(from, n)))
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, status, lang, email, name string
		if err := rows.Scan(&id, &status, &lang, &email, &name); err != nil {
			return o, err
		}
		plain, hash, err := domain.NewToken()
		if err != nil {
			return o, err
		}
		sealed, err := s.Seal(plain)
		if err != nil {
			return o, err
		}
		kind := domain.EmailConfirmRequest
		if status == string(domain.StatusConfirmed) {
			kind = domain.EmailConfirmed
		}
		payload := fmt.Sprintf(`{"sealed_token":%q}`, sealed)
		if steady {
			payload = fmt.Sprintf(`{"sealed_token":%q,"steady":true}`, sealed)
		}
		o.ids = append(o.ids, id)
		o.kinds = append(o.kinds, string(kind))
		o.langs = append(o.langs, lang)
		o.recipients = append(o.recipients, email)
		o.names = append(o.names, name)
		o.payloads = append(o.payloads, payload)
		o.messageIDs = append(o.messageIDs, domain.NewMessageID("bench.invalid", time.Now()))
		o.hashes = append(o.hashes, hash)
	}
	if err := rows.Err(); err != nil {
		return o, err
	}
	if len(o.ids) != n {
		return o, fmt.Errorf("bench: found %d of %d registrations to mail", len(o.ids), n)
	}
	return o, nil
}

func mailAddresses(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "mail-" + strconv.Itoa(from+i+1) + "@example.org"
	}
	return out
}

func (o outbox) insert(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO registration_tokens (token_hash, registration_id, expires_at)
		SELECT unnest($1::bytea[]), unnest($2::uuid[]), $3`, pq.ByteaArray(o.hashes), pq.Array(o.ids), o.expires); err != nil {
		return fmt.Errorf("bench: insert tokens: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload, message_id)
		SELECT $1, unnest($2::uuid[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]),
			unnest($6::text[]), unnest($7::jsonb[]), unnest($8::text[])`,
		o.eventID, pq.Array(o.ids), pq.Array(o.kinds), pq.Array(o.langs), pq.Array(o.recipients),
		pq.Array(o.names), pq.Array(o.payloads), pq.Array(o.messageIDs)); err != nil {
		return fmt.Errorf("bench: insert emails: %w", err)
	}
	return nil
}

func splitCounts(total, parts int) []int {
	out := make([]int, parts)
	for i := range out {
		out[i] = total / parts
		if i < total%parts {
			out[i]++
		}
	}
	return out
}
