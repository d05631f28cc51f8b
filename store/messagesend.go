package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// messagesPerAddressHour is the per-address limit on organizer messages.
func (s *Store) messagesPerAddressHour() int {
	if s.MessagesPerAddressHour > 0 {
		return s.MessagesPerAddressHour
	}
	return domain.DefaultMessagesPerAddressHour
}

// recipientsWhere is the condition on registrations r that picks a
// message's recipients among ev's participants: those f matches, in a
// status a message may go to, not erased, not opted out, not yet written
// to by message id (0 for none), and under the per-address limit of
// organizer messages at now (with over, over it: the people the limit holds
// back). It starts st's arguments.
func (s *Store) recipientsWhere(st *statement, ev *domain.Event, id int64, f domain.MessageFilter, now time.Time, over bool) (string, error) {
	answers, bad := ev.Questions.AnswerFilters(f.Answers)
	if len(bad) > 0 {
		return "", domain.Errorf(domain.EConflict, "the message filters on answers the event's questions no longer offer")
	}
	where, args := registrationWhere(ev.ID, RegistrationFilter{Delegation: f.Delegation, Answers: answers})
	st.args = args
	conds := []string{where,
		"r.status = ANY(" + st.arg(pq.StringArray(f.StatusList())) + "::text[])",
		"r.erased_at IS NULL",
		"NOT EXISTS (SELECT 1 FROM message_optouts o WHERE o.registration_id = r.id)",
		`(SELECT count(*) FROM emails e WHERE e.event_id = r.event_id AND e.kind = 'message'
			AND lower(e.recipient) = lower(r.email) AND e.created_at > ` + st.arg(now.Add(-time.Hour)) + `::timestamptz) ` +
			map[bool]string{false: "<", true: ">="}[over] + ` ` + st.arg(s.messagesPerAddressHour()),
	}
	if id != 0 {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM message_recipients mr WHERE mr.message_id = "+
			st.arg(id)+" AND mr.registration_id = r.id)")
	}
	if f.Role != "" {
		conds = append(conds, "r.role = "+st.arg(f.Role))
	}
	for _, d := range f.Attended {
		conds = append(conds, "EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id AND c.day = "+st.arg(d.String())+"::date)")
	}
	for _, d := range f.NotAttended {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id AND c.day = "+st.arg(d.String())+"::date)")
	}
	return strings.Join(conds, " AND "), nil
}

// MessagePreview is what a message would do if sent now.
type MessagePreview struct {
	// Recipients is how many participants it would be written to.
	Recipients int
	// HeldBack is how many more match but got as many organizer messages
	// this hour as MESSAGES_PER_ADDRESS_HOUR allows: a send writes to them
	// later, once they are under the limit.
	HeldBack int
	// Sample is one of them (the first to register), nil when none.
	Sample *domain.Registration
}

// PreviewMessage counts the recipients a message with filter f would get
// now (id names a stored message, whose recipients are left out; 0 for a
// message not stored) and picks one to show it to.
func (s *Store) PreviewMessage(ctx context.Context, ev *domain.Event, id int64, f domain.MessageFilter) (MessagePreview, error) {
	var st statement
	now := s.Now()
	where, err := s.recipientsWhere(&st, ev, id, f, now, false)
	if err != nil {
		return MessagePreview{}, err
	}
	var p MessagePreview
	if err := s.db.GetContext(ctx, &p.Recipients, `SELECT count(*) FROM registrations r WHERE `+where, st.args...); err != nil {
		return p, fmt.Errorf("store: count recipients: %w", unavailable(err))
	}
	if p.HeldBack, err = s.heldBack(ctx, s.db, ev, id, f, now); err != nil {
		return p, err
	}
	var rows []registrationRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+registrationColumns+` FROM registrations r WHERE `+where+`
		ORDER BY r.created_at, r.id LIMIT 1`, st.args...); err != nil {
		return p, fmt.Errorf("store: sample recipient: %w", unavailable(err))
	}
	if len(rows) > 0 {
		p.Sample = rows[0].registration()
	}
	return p, nil
}

// SendMessage sends a stored message now: a draft or a scheduled one, or a
// sent one again, which writes only to participants who match its filter
// and were not written to yet. It returns how many were added.
func (s *Store) SendMessage(ctx context.Context, organizerID int64, ev *domain.Event, id int64) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *dbTx) error {
		m, err := lockMessage(ctx, tx, false, `WHERE m.event_id = $1 AND m.id = $2`, ev.ID, id)
		if err != nil {
			return err
		}
		if m == nil {
			return domain.Errorf(domain.ENotFound, "no such message")
		}
		if m.State == domain.MessageCancelled {
			return domain.Errorf(domain.EConflict, "this message was cancelled")
		}
		added, err = s.sendLocked(ctx, tx, ev, m, organizerID)
		return err
	})
	return added, err
}

// lockMessage reads one message and locks it, so that sends of the same
// message take turns; nil when none matches.
// With skip, a message another transaction holds is passed over instead
// of waited for.
func lockMessage(ctx context.Context, tx *dbTx, skip bool, where string, args ...any) (*domain.Message, error) {
	lock := ` FOR NO KEY UPDATE OF m`
	if skip {
		lock += ` SKIP LOCKED`
	}
	var row messageRow
	err := tx.GetContext(ctx, &row, `SELECT `+messageColumns+` FROM messages m `+where+lock, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: lock message: %w", unavailable(err))
	}
	return row.message()
}

// sendLocked writes message m (locked in tx) to its recipients: one
// statement inserts the outbox rows of the participants who match and were
// not written to yet, and their message_recipients rows. The lock, the
// NOT EXISTS and the table's primary key together make a second send, or
// a send run again after a crash, write to nobody twice.
func (s *Store) sendLocked(ctx context.Context, tx *dbTx, ev *domain.Event, m *domain.Message, actorID int64) (int, error) {
	var st statement
	where, err := s.recipientsWhere(&st, ev, m.ID, m.Filter, tx.now, false)
	if err != nil {
		return 0, err
	}
	local, host, _ := strings.Cut(domain.NewMessageID(s.MailHost, tx.now), "@")
	at := st.arg(tx.now) + "::timestamptz"
	var added int
	err = tx.GetContext(ctx, &added, `
		WITH target AS (
			SELECT r.id, r.event_id, r.email, r.language, r.first_name || ' ' || r.last_name AS name
			FROM registrations r WHERE `+where+`
			ORDER BY r.created_at, r.id
		), email AS (
			INSERT INTO emails (event_id, registration_id, kind, language, recipient, recipient_name, payload,
				message_id, created_at, next_attempt_at)
			SELECT target.event_id, target.id, 'message', target.language, target.email, target.name,
				`+st.arg(EmailPayload{OrganizerMessageID: m.ID})+`::jsonb,
				`+st.arg(local+".")+` || replace(target.id::text, '-', '') || `+st.arg("@"+host)+`, `+at+`, `+at+`
			FROM target
			RETURNING id, registration_id
		), recipient AS (
			INSERT INTO message_recipients (message_id, registration_id, email_id, created_at)
			SELECT `+st.arg(m.ID)+`, email.registration_id, email.id, `+at+` FROM email
		)
		SELECT count(*) FROM email`, st.args...)
	if err != nil {
		return 0, fmt.Errorf("store: send message: %w", unavailable(err))
	}
	held, err := s.heldBack(ctx, tx, ev, m.ID, m.Filter, tx.now)
	if err != nil {
		return 0, err
	}
	// People the per-address limit holds back are written to by the
	// periodic job once they are under it, until the event ends.
	retry := m.State == domain.MessageSending
	m.State = domain.MessageSent
	if held > 0 && tx.now.Before(ev.EndsAt()) {
		m.State = domain.MessageSending
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE messages SET state = $3, sent_at = coalesce(sent_at, $2) WHERE id = $1`, m.ID, tx.now, m.State); err != nil {
		return 0, fmt.Errorf("store: mark message sent: %w", unavailable(err))
	}
	if added > 0 {
		tx.queuedEmail = true
	}
	if retry && added == 0 {
		return 0, nil // the periodic job found nobody under the limit yet: nothing to record
	}
	return added, insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &actorID, Action: domain.AuditMessageSend,
		Detail: domain.AuditDetail{Message: m.ID, Recipients: added}})
}

// SendDueMessages sends the scheduled messages whose time has come, and
// the sending ones to the people the per-address limit held back, one
// message per transaction. A message is locked with SKIP LOCKED, so
// several workers running this at once send each exactly once. It returns
// how many messages went out (to anyone new).
func (s *Store) SendDueMessages(ctx context.Context) (int, error) {
	sent := 0
	done := []int64{} // looked at in this run: a message still held back waits for the next
	for ctx.Err() == nil {
		found, wentOut := false, false
		err := s.inTx(ctx, func(tx *dbTx) error {
			m, err := lockMessage(ctx, tx, true, `WHERE (m.state = 'scheduled' AND m.send_at <= $1 OR m.state = 'sending')
				AND m.id <> ALL($2) ORDER BY coalesce(m.send_at, m.created_at), m.id LIMIT 1`, tx.now, pq.Array(done))
			if err != nil || m == nil {
				return err
			}
			found = true
			done = append(done, m.ID)
			retry := m.State == domain.MessageSending
			ev, err := getEvent(ctx, tx, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, m.EventID)
			if err != nil {
				return err
			}
			author := int64(0)
			if m.AuthorID != nil {
				author = *m.AuthorID
			}
			endRetry := func() error {
				if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'sent' WHERE id = $1`, m.ID); err != nil {
					return fmt.Errorf("store: end message: %w", unavailable(err))
				}
				return nil
			}
			if retry && !tx.now.Before(ev.EndsAt()) {
				return endRetry() // the event is over: those still held back are not written to
			}
			added, err := s.sendLocked(ctx, tx, ev, m, author)
			if domain.ErrorCode(err) == domain.EConflict && retry {
				return endRetry() // its filter no longer works
			}
			if domain.ErrorCode(err) == domain.EConflict {
				// Its filter names answers the event no longer offers: it
				// goes back to the drafts for its organizers to see, rather
				// than block the messages due after it.
				if _, err := tx.ExecContext(ctx, `UPDATE messages SET state = 'draft' WHERE id = $1`, m.ID); err != nil {
					return fmt.Errorf("store: return message to drafts: %w", unavailable(err))
				}
				return nil
			}
			wentOut = err == nil && (!retry || added > 0)
			return err
		})
		if err != nil {
			return sent, err
		}
		if !found {
			break
		}
		if wentOut {
			sent++
		}
	}
	return sent, nil
}

// QueueTestMessage queues message id, as its recipients would get it, to
// the organizer's own address, in lang; the organizer is not a recipient.
// It counts against the per-address limit of organizer messages.
func (s *Store) QueueTestMessage(ctx context.Context, ev *domain.Event, id int64, to, name, lang string) error {
	if _, err := s.Message(ctx, ev.ID, id); err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *dbTx) error {
		var queued bool
		err := tx.GetContext(ctx, &queued, `
			WITH email AS (
				INSERT INTO emails (event_id, kind, language, recipient, recipient_name, payload, message_id, created_at, next_attempt_at)
				SELECT $1, 'message', $2, $3, $4, $5::jsonb, $6, $7, $7
				WHERE (SELECT count(*) FROM emails e WHERE e.event_id = $1 AND e.kind = 'message'
					AND lower(e.recipient) = lower($3) AND e.created_at > $8) < $9
				RETURNING 1
			)
			SELECT EXISTS (SELECT 1 FROM email)`,
			ev.ID, lang, to, name, EmailPayload{OrganizerMessageID: id}, domain.NewMessageID(s.MailHost, tx.now),
			tx.now, tx.now.Add(-time.Hour), s.messagesPerAddressHour())
		if err != nil {
			return fmt.Errorf("store: queue test message: %w", unavailable(err))
		}
		tx.queuedEmail = queued
		if !queued {
			return domain.Errorf(domain.EConflict, "this address got %d messages in the last hour, the most it may; try again later", s.messagesPerAddressHour())
		}
		return nil
	})
}

// heldBack counts the participants message id (0: not stored) with filter
// f would go to but for the per-address limit at now.
func (s *Store) heldBack(ctx context.Context, q sqlx.QueryerContext, ev *domain.Event, id int64, f domain.MessageFilter, now time.Time) (int, error) {
	var st statement
	where, err := s.recipientsWhere(&st, ev, id, f, now, true)
	if err != nil {
		return 0, err
	}
	var n int
	if err := sqlx.GetContext(ctx, q, &n, `SELECT count(*) FROM registrations r WHERE `+where, st.args...); err != nil {
		return 0, fmt.Errorf("store: count held back recipients: %w", unavailable(err))
	}
	return n, nil
}

// HeldBack counts the people message m of ev still waits to write to
// because of the per-address limit: 0 once it is sent or cancelled.
func (s *Store) HeldBack(ctx context.Context, ev *domain.Event, m *domain.Message) (int, error) {
	switch m.State {
	case domain.MessageSent, domain.MessageCancelled:
		return 0, nil
	}
	n, err := s.heldBack(ctx, s.db, ev, m.ID, m.Filter, s.Now())
	if domain.ErrorCode(err) == domain.EConflict {
		return 0, nil // the filter no longer works; the page says so when it is sent
	}
	return n, err
}
