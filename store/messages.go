package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// skippedPrefix starts the last_error of a message's email that the worker
// did not send because its participant cancelled, was erased or opted out
// after the message was queued. Such an email is "failed" in the outbox
// but counted as skipped, and never retried with the message's failed ones.
const skippedPrefix = "skipped: "

// skippedSQL is true for an email of emails e that was skipped, erased
// recipients included.
const skippedSQL = `(e.last_error LIKE 'skipped: %' OR e.last_error = 'recipient erased')`

const messageColumns = `m.id, m.event_id, m.author_id, m.texts, m.filter, m.state, m.send_at, m.sent_at, m.created_at`

type messageRow struct {
	domain.Message
	TextsJSON  string `db:"texts"`
	FilterJSON string `db:"filter"`
}

func (r *messageRow) message() (*domain.Message, error) {
	m := r.Message
	if err := json.Unmarshal([]byte(r.TextsJSON), &m.Texts); err != nil {
		return nil, fmt.Errorf("store: message %d texts: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(r.FilterJSON), &m.Filter); err != nil {
		return nil, fmt.Errorf("store: message %d filter: %w", m.ID, err)
	}
	return &m, nil
}

// MessageCounts are where a message's recipients stand.
type MessageCounts struct {
	Recipients int `json:"recipients" db:"recipients"`
	Queued     int `json:"queued" db:"queued"`
	Sent       int `json:"sent" db:"sent"`
	Failed     int `json:"failed" db:"failed"`
	// Skipped were queued but not sent: the participant cancelled, was
	// erased or unsubscribed before the worker reached them.
	Skipped int `json:"skipped" db:"skipped"`
	// HeldBack match but are over the per-address limit of organizer
	// messages now (Store.HeldBack fills it): a sending message writes to
	// them once they are under it.
	HeldBack int `json:"held_back" db:"-"`
}

// MessageSummary is a message with its counts.
type MessageSummary struct {
	*domain.Message
	MessageCounts
}

// RecipientSkipped is the status, in a message's recipient list, of an
// email the worker did not send because its participant cancelled, was
// erased or unsubscribed first: "failed" in the outbox, but nothing went
// wrong and nothing is retried. Its last_error says why.
const RecipientSkipped domain.EmailStatus = "skipped"

// MessageRecipient is one person a message was written to, and how its
// email stands.
type MessageRecipient struct {
	RegistrationID string             `json:"registration_id" db:"registration_id"`
	EmailID        int64              `json:"email_id" db:"email_id"`
	Name           string             `json:"name" db:"name"`
	Email          string             `json:"email" db:"recipient"`
	Language       string             `json:"language" db:"language"`
	Status         domain.EmailStatus `json:"status" db:"status"`
	LastError      *string            `json:"last_error" db:"last_error"`
	SentAt         *time.Time         `json:"sent_at" db:"sent_at"`
}

// CreateMessage stores an organizer's message for ev (checked with
// domain.CheckMessage): a draft, scheduled when in.SendAt is set, or sent
// at once when in.Send is. It returns the message and how many recipients
// were queued.
func (s *Store) CreateMessage(ctx context.Context, organizerID int64, ev *domain.Event, in domain.MessageInput) (*domain.Message, int, error) {
	texts, err := json.Marshal(in.Texts)
	if err != nil {
		return nil, 0, fmt.Errorf("store: message texts: %w", err)
	}
	filter, err := json.Marshal(in.Filter)
	if err != nil {
		return nil, 0, fmt.Errorf("store: message filter: %w", err)
	}
	state := domain.MessageDraft
	if in.SendAt != nil {
		state = domain.MessageScheduled
	}
	var m *domain.Message
	added := 0
	err = s.inTx(ctx, func(tx *dbTx) error {
		var row messageRow
		err := tx.GetContext(ctx, &row, `
			INSERT INTO messages AS m (event_id, author_id, texts, filter, state, send_at, created_at)
			VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7)
			RETURNING `+messageColumns, ev.ID, nullID(organizerID), string(texts), string(filter), state, in.SendAt, tx.now)
		if err != nil {
			return fmt.Errorf("store: insert message: %w", unavailable(err))
		}
		if m, err = row.message(); err != nil {
			return err
		}
		if in.Send && in.SendAt == nil {
			added, err = s.sendLocked(ctx, tx, ev, m, organizerID)
		}
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return m, added, nil
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Message returns one message of an event with its counts.
func (s *Store) Message(ctx context.Context, eventID, id int64) (*MessageSummary, error) {
	out, err := s.messages(ctx, `WHERE m.event_id = $1 AND m.id = $2`, eventID, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, domain.Errorf(domain.ENotFound, "no such message")
	}
	return out[0], nil
}

// Messages lists an event's messages, newest first, with their counts.
func (s *Store) Messages(ctx context.Context, eventID int64) ([]*MessageSummary, error) {
	return s.messages(ctx, `WHERE m.event_id = $1 ORDER BY m.id DESC LIMIT 500`, eventID)
}

func (s *Store) messages(ctx context.Context, where string, args ...any) ([]*MessageSummary, error) {
	var rows []struct {
		messageRow
		MessageCounts
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT `+messageColumns+`, c.recipients, c.queued, c.sent, c.failed, c.skipped
		FROM messages m, LATERAL (
			SELECT count(*) AS recipients,
				count(*) FILTER (WHERE e.status IN ('queued', 'sending')) AS queued,
				count(*) FILTER (WHERE e.status = 'sent') AS sent,
				count(*) FILTER (WHERE e.status = 'failed' AND NOT coalesce(`+skippedSQL+`, false)) AS failed,
				count(*) FILTER (WHERE e.status = 'failed' AND coalesce(`+skippedSQL+`, false)) AS skipped
			FROM message_recipients mr JOIN emails e ON e.id = mr.email_id
			WHERE mr.message_id = m.id) c `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", unavailable(err))
	}
	out := make([]*MessageSummary, 0, len(rows))
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return nil, err
		}
		out = append(out, &MessageSummary{Message: m, MessageCounts: rows[i].MessageCounts})
	}
	return out, nil
}

// MessageRecipients lists who a message was written to, in the order they
// were queued, with where their emails stand.
func (s *Store) MessageRecipients(ctx context.Context, eventID, id int64) ([]*MessageRecipient, error) {
	out := []*MessageRecipient{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT mr.registration_id, mr.email_id, e.recipient_name AS name, e.recipient, e.language,
			CASE WHEN e.status = 'failed' AND coalesce(`+skippedSQL+`, false) THEN 'skipped' ELSE e.status END AS status,
			e.last_error, e.sent_at
		FROM message_recipients mr JOIN messages m ON m.id = mr.message_id JOIN emails e ON e.id = mr.email_id
		WHERE m.event_id = $1 AND mr.message_id = $2
		ORDER BY mr.email_id`, eventID, id)
	if err != nil {
		return nil, fmt.Errorf("store: message recipients: %w", unavailable(err))
	}
	for _, r := range out {
		if r.Status == RecipientSkipped && r.LastError != nil {
			reason := strings.TrimPrefix(*r.LastError, skippedPrefix)
			r.LastError = &reason
		}
	}
	return out, nil
}

// CancelMessage stops a draft or a scheduled message from going out.
func (s *Store) CancelMessage(ctx context.Context, eventID, id int64) error {
	var state string
	err := s.db.GetContext(ctx, &state, `
		UPDATE messages SET state = 'cancelled'
		WHERE event_id = $1 AND id = $2 AND state IN ('draft', 'scheduled')
		RETURNING state`, eventID, id)
	if errors.Is(err, sql.ErrNoRows) {
		m, err := s.Message(ctx, eventID, id)
		if err != nil {
			return err
		}
		return domain.Errorf(domain.EConflict, "only a draft or a scheduled message can be cancelled; this one is %s", m.State)
	}
	if err != nil {
		return fmt.Errorf("store: cancel message: %w", unavailable(err))
	}
	return nil
}

// RetryFailedMessage queues the message's failed emails again, now, and
// returns how many. Skipped ones (the participant cancelled, was erased or
// unsubscribed) stay as they are.
func (s *Store) RetryFailedMessage(ctx context.Context, eventID, id int64) (int, error) {
	if _, err := s.Message(ctx, eventID, id); err != nil {
		return 0, err
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE emails e SET status = 'queued', attempts = 0, next_attempt_at = $2, locked_until = NULL
		FROM message_recipients mr
		WHERE mr.message_id = $1 AND e.id = mr.email_id AND e.status = 'failed'
		  AND NOT coalesce(`+skippedSQL+`, false)`, id, s.Now())
	if err != nil {
		return 0, fmt.Errorf("store: retry message: %w", unavailable(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: retry message: %w", err)
	}
	if n > 0 {
		s.wakeWorkers()
	}
	return int(n), nil
}

// MessagesOf loads the organizer messages a batch of outbox rows carries,
// by id, and which of their registrations opted out of messages, so the
// worker renders a batch in two more round trips, not two per email.
func (s *Store) MessagesOf(ctx context.Context, emails []*Email) (map[int64]*domain.Message, map[string]bool, error) {
	var ids []int64
	var regs []string
	for _, e := range emails {
		if e.Kind != domain.EmailMessage {
			continue
		}
		ids = append(ids, e.Payload.OrganizerMessageID)
		if e.RegistrationID != nil {
			regs = append(regs, *e.RegistrationID)
		}
	}
	msgs := map[int64]*domain.Message{}
	optedOut := map[string]bool{}
	if len(ids) == 0 {
		return msgs, optedOut, nil
	}
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages m WHERE m.id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, nil, fmt.Errorf("store: messages of emails: %w", unavailable(err))
	}
	for i := range rows {
		m, err := rows[i].message()
		if err != nil {
			return nil, nil, err
		}
		msgs[m.ID] = m
	}
	var out []string
	if err := s.db.SelectContext(ctx, &out, `
		SELECT registration_id FROM message_optouts WHERE registration_id = ANY($1::uuid[])`, pq.StringArray(regs)); err != nil {
		return nil, nil, fmt.Errorf("store: opt-outs of emails: %w", unavailable(err))
	}
	for _, id := range out {
		optedOut[id] = true
	}
	return msgs, optedOut, nil
}

// SkipEmail records that an organizer message was not sent, and why (the
// participant cancelled, was erased or opted out after it was queued).
func (s *Store) SkipEmail(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE emails SET status = 'failed', locked_until = NULL, last_error = $2
		WHERE id = $1 AND status = 'sending'`, id, skippedPrefix+truncate(reason, 900))
	if err != nil {
		return fmt.Errorf("store: skip email: %w", unavailable(err))
	}
	return nil
}

// Unsubscribe records that a participant wants no more organizer messages
// about their event. Doing it twice changes nothing (RFC 8058 one-click
// requests may be repeated by mail systems).
func (s *Store) Unsubscribe(ctx context.Context, registrationID string) error {
	if !domain.ValidUUID(registrationID) {
		return domain.Errorf(domain.ENotFound, "no such registration")
	}
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO message_optouts (registration_id, event_id, created_at)
		SELECT id, event_id, $2 FROM registrations WHERE id = $1::uuid
		ON CONFLICT (registration_id) DO NOTHING`, registrationID, s.Now())
	if err != nil {
		return fmt.Errorf("store: unsubscribe: %w", unavailable(err))
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		var exists bool
		if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM registrations WHERE id = $1::uuid)`, registrationID); err != nil {
			return fmt.Errorf("store: unsubscribe: %w", unavailable(err))
		}
		if !exists {
			return domain.Errorf(domain.ENotFound, "no such registration")
		}
	}
	return nil
}

// OptedOut reports whether registration id asked for no more organizer
// messages.
func (s *Store) OptedOut(ctx context.Context, registrationID string) (bool, error) {
	var out bool
	if err := s.db.GetContext(ctx, &out, `
		SELECT EXISTS (SELECT 1 FROM message_optouts WHERE registration_id = $1::uuid)`, registrationID); err != nil {
		return false, fmt.Errorf("store: opted out: %w", unavailable(err))
	}
	return out, nil
}

// unsubscribePrefix tells a sealed unsubscribe token from the other sealed
// secrets.
const unsubscribePrefix = "unsubscribe:"

// UnsubscribeToken is the secret of registration id's unsubscribe link:
// its id sealed with SECRET_KEY, so that it needs no row of its own and
// cannot be made up.
func (s *Store) UnsubscribeToken(id string) (string, error) {
	if s.Sealer == nil {
		return "", errors.New("store: no sealer configured for unsubscribe links")
	}
	return s.Sealer.Seal(unsubscribePrefix + id)
}

// UnsubscribeTarget opens an unsubscribe link's token: the registration
// and its event, or ENotFound for a token this server did not make.
func (s *Store) UnsubscribeTarget(ctx context.Context, token string) (*domain.Registration, *domain.Event, error) {
	notFound := domain.Errorf(domain.ENotFound, "this unsubscribe link is not valid")
	if s.Sealer == nil || len(token) > 500 {
		return nil, nil, notFound
	}
	plain, err := s.Sealer.Open(token)
	id, ok := strings.CutPrefix(plain, unsubscribePrefix)
	if err != nil || !ok || !domain.ValidUUID(id) {
		return nil, nil, notFound
	}
	var row registrationRow
	err = s.db.GetContext(ctx, &row, `SELECT `+registrationColumns+` FROM registrations r WHERE r.id = $1::uuid`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("store: unsubscribe target: %w", unavailable(err))
	}
	reg := row.registration()
	ev, err := getEvent(ctx, s.db, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, reg.EventID)
	if err != nil {
		return nil, nil, err
	}
	return reg, ev, nil
}
