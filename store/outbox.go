package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// NotifyChannel is the LISTEN/NOTIFY channel that wakes mail workers.
const NotifyChannel = "attend_emails"

// Email is one outbox row.
type Email struct {
	ID             int64              `json:"id" db:"id"`
	EventID        int64              `json:"-" db:"event_id"`
	RegistrationID *string            `json:"registration_id" db:"registration_id"`
	Kind           domain.EmailKind   `json:"kind" db:"kind"`
	Language       string             `json:"language" db:"language"`
	Recipient      string             `json:"recipient" db:"recipient"`
	RecipientName  string             `json:"recipient_name" db:"recipient_name"`
	Payload        EmailPayload       `json:"-" db:"payload"`
	MessageID      string             `json:"message_id" db:"message_id"`
	Status         domain.EmailStatus `json:"status" db:"status"`
	Attempts       int                `json:"attempts" db:"attempts"`
	NextAttemptAt  time.Time          `json:"next_attempt_at" db:"next_attempt_at"`
	LastError      *string            `json:"last_error" db:"last_error"`
	CreatedAt      time.Time          `json:"created_at" db:"created_at"`
	SentAt         *time.Time         `json:"sent_at" db:"sent_at"`
}

// EmailPayload is the kind-specific data of an email.
type EmailPayload struct {
	// SealedToken is the registration's link token, sealed with SECRET_KEY;
	// it is removed from the row once the email is sent.
	SealedToken string `json:"sealed_token,omitempty"`
	// Message is an organizer's note (for example in a cancellation).
	Message string `json:"message,omitempty"`
	// Deadline is when a pending registration expires (confirm reminders),
	// or when an invitation stops working.
	Deadline *time.Time `json:"deadline,omitempty"`
	// Role is the team role an invitation offers.
	Role domain.TeamRole `json:"role,omitempty"`
	// Changes are what a participant changed in their registration
	// (domain.EmailUpdated).
	Changes []domain.Change `json:"changes,omitempty"`
	// Quota and Delegation are what a focal point is asked to nominate
	// (domain.EmailNominationRequest).
	Quota      int    `json:"quota,omitempty"`
	Delegation string `json:"delegation,omitempty"`
	// WebhookURL is the endpoint a domain.EmailWebhookDisabled is about.
	WebhookURL string `json:"webhook_url,omitempty"`
	// OrganizerMessageID is the organizer's message (domain.EmailMessage)
	// the email carries.
	OrganizerMessageID int64 `json:"organizer_message_id,omitempty"`
}

// Value is the payload as JSON text: a string, because in lib/pq's
// binary_parameters mode []byte goes out in binary format, which jsonb
// would read as its own binary encoding.
func (p EmailPayload) Value() (driver.Value, error) {
	b, err := json.Marshal(p)
	return string(b), err
}

func (p *EmailPayload) Scan(src any) error {
	switch v := src.(type) {
	case []byte:
		return json.Unmarshal(v, p)
	case string:
		return json.Unmarshal([]byte(v), p)
	case nil:
		*p = EmailPayload{}
		return nil
	}
	return fmt.Errorf("store: cannot scan %T into EmailPayload", src)
}

const emailColumns = `id, event_id, registration_id, kind, language, recipient, recipient_name, payload,
	message_id, status, attempts, next_attempt_at, last_error, created_at, sent_at`

// queueEmail adds an email of kind for reg to the outbox inside tx, with a
// fresh link token, and wakes the workers when tx commits.
func (s *Store) queueEmail(ctx context.Context, tx *dbTx, kind domain.EmailKind, reg *domain.Registration, ev *domain.Event, payload EmailPayload) error {
	tx.queuedEmail = true
	var st statement
	outbox, err := s.outboxCTEs(&st, ev, payload, tx.now)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		WITH target AS (
			SELECT r.id, r.event_id, r.email, r.language, r.first_name || ' ' || r.last_name AS name,
				`+st.arg(kind)+`::text AS kind
			FROM registrations r WHERE r.id = `+st.arg(reg.ID)+`
		), `+outbox+`
		SELECT 1`, st.args...)
	if err != nil {
		return fmt.Errorf("store: queue %s email: %w", kind, unavailable(err))
	}
	return nil
}

// outboxCTEs are the common table expressions that queue an email for the
// registration in the CTE named target (columns id, event_id, email,
// language, name and kind): its link token, sealed into the payload, and
// the outbox row. Every statement that queues email ends with them, so the
// outbox is written in one place; an empty target queues nothing. The
// caller sets its transaction's queuedEmail, which wakes the mail workers
// once it has committed (wake.go).
func (s *Store) outboxCTEs(st *statement, ev *domain.Event, payload EmailPayload, now time.Time) (string, error) {
	hash, sealed, err := s.newLink()
	if err != nil {
		return "", err
	}
	payload.SealedToken = sealed
	at := st.arg(now) + "::timestamptz"
	return `token AS (
			INSERT INTO registration_tokens (token_hash, registration_id, expires_at, created_at)
			SELECT ` + st.arg(hash) + `, target.id, ` + st.arg(s.linkExpiry(ev)) + `::timestamptz, ` + at + ` FROM target
		), email AS (
			INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
				message_id, created_at, next_attempt_at)
			SELECT target.event_id, target.id, target.kind, target.language, target.email, target.name,
				` + st.arg(payload) + `::jsonb, ` + st.arg(domain.NewMessageID(s.MailHost, now)) + `, ` + at + `, ` + at + `
			FROM target
		)`, nil
}

// newLink makes a registration's link token: the hash to store, and the
// token sealed with SECRET_KEY for the email that carries it.
func (s *Store) newLink() (hash []byte, sealed string, err error) {
	if s.Sealer == nil {
		return nil, "", errors.New("store: no sealer configured for emailed links")
	}
	plain, hash, err := domain.NewToken()
	if err != nil {
		return nil, "", err
	}
	if sealed, err = s.Sealer.Seal(plain); err != nil {
		return nil, "", err
	}
	return hash, sealed, nil
}

// linkExpiry is when links for an event stop working: some days after it
// ends, so late cancellations and the manage page still work briefly.
func (s *Store) linkExpiry(ev *domain.Event) time.Time {
	return ev.EndsAt().Add(s.LinkGrace)
}

// ClaimDue leases up to limit due emails to the calling worker. SKIP LOCKED
// lets several workers claim at once without taking the same row; a row
// whose lease ran out (its worker died mid-send) is due again.
//
// The claim commits asynchronously, as MarkSent does: waiting for its disk
// flush was the longest wait of a batch's database work (8.5 ms of a 107 ms
// batch of 50 in the mail bench). Other workers see the claim at once; only
// a crash of PostgreSQL itself within a fraction of a second could forget
// it, and then an email may be sent once more with the same Message-ID.
func (s *Store) ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]*Email, error) {
	var out []*Email
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return fmt.Errorf("store: claim emails: %w", unavailable(err))
		}
		err := tx.SelectContext(ctx, &out, `
			UPDATE emails SET status = 'sending', attempts = attempts + 1, locked_until = $3
			WHERE id IN (
				SELECT id FROM emails
				WHERE status IN ('queued', 'sending') AND next_attempt_at <= $2
				  AND (locked_until IS NULL OR locked_until < $2)
				ORDER BY next_attempt_at, id
				LIMIT $1
				FOR UPDATE SKIP LOCKED)
			RETURNING `+emailColumns, limit, tx.now, tx.now.Add(lease))
		if err != nil {
			return fmt.Errorf("store: claim emails: %w", unavailable(err))
		}
		return nil
	})
	return out, err
}

// ExtendLease renews the lease on emails their worker is still sending, so
// that a slow (but answering) SMTP server, which makes a batch outlast
// MAIL_LEASE, does not let another worker claim and send them a second
// time. Only rows still in "sending" are touched; the lease of a worker that
// died is never renewed and runs out as before.
func (s *Store) ExtendLease(ctx context.Context, ids []int64, lease time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE emails SET locked_until = $2
		WHERE id = ANY($1) AND status = 'sending'`, pq.Array(ids), s.Now().Add(lease))
	if err != nil {
		return fmt.Errorf("store: extend lease: %w", unavailable(err))
	}
	return nil
}

// markSent records an accepted email and wipes its sealed link token, which
// is no longer needed. Only a row still being sent is changed: one that was
// erased meanwhile stays as erasure left it.
// Its $1 is the time.
const markSent = `UPDATE emails SET status = 'sent', sent_at = $1, locked_until = NULL, last_error = NULL,
	payload = payload - 'sealed_token'`

// MarkSent records accepted emails in one statement and wipes their sealed
// link tokens, which are no longer needed.
func (s *Store) MarkSent(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	// Asynchronous commit: the worker records every email as it is
	// accepted, and waiting for a disk flush each time would halve its
	// rate. A crash of attend loses nothing (PostgreSQL flushes within a
	// fraction of a second); only a crash of PostgreSQL itself in that
	// window could forget a mark, and then the email is sent once more with
	// the same Message-ID.
	return s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return fmt.Errorf("store: mark sent: %w", unavailable(err))
		}
		if _, err := tx.ExecContext(ctx, markSent+` WHERE id = ANY($2) AND status = 'sending'`, tx.now, pq.Array(ids)); err != nil {
			return fmt.Errorf("store: mark sent: %w", unavailable(err))
		}
		return nil
	})
}

// MarkRetry schedules another attempt after a temporary failure.
func (s *Store) MarkRetry(ctx context.Context, id int64, reason string, next time.Time) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE emails SET status = 'queued', locked_until = NULL, last_error = $2, next_attempt_at = $3
		WHERE id = $1 AND status = 'sending'`, id, truncate(reason, 1000), next)
	if err != nil {
		return fmt.Errorf("store: mark retry: %w", unavailable(err))
	}
	return nil
}

// MarkFailed gives up on an email; organizers see it and may retry it.
func (s *Store) MarkFailed(ctx context.Context, id int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `
		UPDATE emails SET status = 'failed', locked_until = NULL, last_error = $2
		WHERE id = $1 AND status = 'sending'`, id, truncate(reason, 1000))
	if err != nil {
		return fmt.Errorf("store: mark failed: %w", unavailable(err))
	}
	return nil
}

// Release hands claimed emails back without counting the attempt, for a
// worker that is shutting down before sending them.
func (s *Store) Release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.db.ExecContext(ctx, `
		UPDATE emails SET status = 'queued', locked_until = NULL, attempts = greatest(attempts - 1, 0)
		WHERE id = ANY($1) AND status = 'sending'`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("store: release emails: %w", unavailable(err))
	}
	return nil
}

// EventEmails lists an event's emails, newest first, optionally by status.
func (s *Store) EventEmails(ctx context.Context, eventID int64, status string, limit int) ([]*Email, error) {
	out := []*Email{}
	err := s.db.SelectContext(ctx, &out, `
		SELECT `+emailColumns+` FROM emails
		WHERE event_id = $1 AND ($2 = '' OR status = $2)
		ORDER BY id DESC LIMIT $3`, eventID, status, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list emails: %w", unavailable(err))
	}
	return out, nil
}

// staleInvitation is true of an email (emails, unaliased) that carries an
// invitation's link no longer live: the invitation was withdrawn, or
// emailed again with a new link.
const staleInvitation = `EXISTS (SELECT 1 FROM invitees i WHERE i.event_id = emails.event_id
	AND emails.kind = 'participant_invitation' AND lower(i.email) = lower(emails.recipient)
	AND (i.withdrawn_at IS NOT NULL OR i.message_id <> emails.message_id))`

// RetryEmail queues a failed email again, now; not one whose invitation
// link no longer works.
func (s *Store) RetryEmail(ctx context.Context, eventID, id int64) (*Email, error) {
	var e Email
	err := s.db.GetContext(ctx, &e, `
		UPDATE emails SET status = 'queued', attempts = 0, next_attempt_at = $3, locked_until = NULL
		WHERE id = $1 AND event_id = $2 AND status = 'failed' AND recipient <> 'erased@erased.invalid'
			AND NOT `+staleInvitation+`
		RETURNING `+emailColumns, id, eventID, s.Now())
	if errors.Is(err, sql.ErrNoRows) {
		var why struct {
			Status string `db:"status"`
			Stale  bool   `db:"stale"`
		}
		err2 := s.db.GetContext(ctx, &why, `SELECT status, `+staleInvitation+` AS stale
			FROM emails WHERE id = $1 AND event_id = $2`, id, eventID)
		if errors.Is(err2, sql.ErrNoRows) {
			return nil, domain.Errorf(domain.ENotFound, "no such email")
		}
		if why.Status == string(domain.EmailFailed) && why.Stale {
			return nil, domain.Errorf(domain.EConflict,
				"this invitation was withdrawn or emailed again since; its link no longer works")
		}
		status := why.Status
		if status == string(domain.EmailFailed) {
			return nil, domain.Errorf(domain.EConflict, "the recipient of this email was erased; it cannot be sent")
		}
		return nil, domain.Errorf(domain.EConflict, "only failed emails can be retried; this one is %s", status)
	}
	if err != nil {
		return nil, fmt.Errorf("store: retry email: %w", unavailable(err))
	}
	s.wakeWorkers()
	return &e, nil
}

// EmailContexts loads the registrations and events of a batch of emails in
// two queries, keyed by id, so rendering a batch costs two round trips, not
// two per email.
func (s *Store) EmailContexts(ctx context.Context, emails []*Email) (map[string]*domain.Registration, map[int64]*domain.Event, error) {
	var regIDs []string
	var eventIDs []int64
	for _, e := range emails {
		eventIDs = append(eventIDs, e.EventID)
		if e.RegistrationID != nil {
			regIDs = append(regIDs, *e.RegistrationID)
		}
	}
	evs, err := selectEvents(ctx, s.db, `SELECT `+eventColumns+` FROM events e WHERE e.id = ANY($1)`, pq.Array(eventIDs))
	if err != nil {
		return nil, nil, fmt.Errorf("store: email events: %w", err)
	}
	events := make(map[int64]*domain.Event, len(evs))
	for _, ev := range evs {
		events[ev.ID] = ev
	}
	regs := make(map[string]*domain.Registration, len(regIDs))
	if len(regIDs) > 0 {
		var rows []registrationRow
		err := s.db.SelectContext(ctx, &rows, `
			SELECT `+registrationColumns+` FROM registrations r WHERE r.id = ANY($1::uuid[])`, pq.StringArray(regIDs))
		if err != nil {
			return nil, nil, fmt.Errorf("store: email registrations: %w", unavailable(err))
		}
		for i := range rows {
			reg := rows[i].registration()
			regs[reg.ID] = reg
		}
	}
	return regs, events, nil
}

// SentMarker records accepted emails one by one over a connection of its
// own with asynchronous commit, so each mark costs one round trip and no
// disk flush (see MarkSent for why that is safe).
type SentMarker struct {
	conn *sql.Conn
	// mark is prepared once per marker: PostgreSQL then parses and plans
	// the UPDATE once per batch instead of once per email, which on a
	// busy machine is CPU the sink and the worker need.
	mark *sql.Stmt
	now  func() time.Time
}

// NewSentMarker takes a connection from the pool for marking.
func (s *Store) NewSentMarker(ctx context.Context) (*SentMarker, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: marker connection: %w", unavailable(err))
	}
	if _, err := conn.ExecContext(ctx, `SET synchronous_commit = off`); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: marker connection: %w", unavailable(err))
	}
	mark, err := conn.PrepareContext(ctx, markSent+` WHERE id = $2 AND status = 'sending'`)
	if err != nil {
		m := &SentMarker{conn: conn}
		m.Close()
		return nil, fmt.Errorf("store: marker statement: %w", unavailable(err))
	}
	return &SentMarker{conn: conn, mark: mark, now: s.Now}, nil
}

// Mark records one email as sent.
func (m *SentMarker) Mark(ctx context.Context, id int64) error {
	_, err := m.mark.ExecContext(ctx, m.now(), id)
	if err != nil {
		return fmt.Errorf("store: mark sent: %w", unavailable(err))
	}
	return nil
}

// Close restores the connection's setting and returns it to the pool.
func (m *SentMarker) Close() {
	if m.mark != nil {
		_ = m.mark.Close() // a statement that cannot be closed goes with its connection
	}
	if _, err := m.conn.ExecContext(context.Background(), `RESET synchronous_commit`); err != nil {
		// Never hand a connection with asynchronous commit back to the
		// pool, where a registration could commit on it: discard it.
		_ = m.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	m.conn.Close()
}

// truncate shortens s to at most n bytes without splitting a character,
// since PostgreSQL refuses invalid UTF-8.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
