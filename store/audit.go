package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/attend/attend/domain"
)

// auditRow is an audit log entry to write. Every action that changes
// personal data writes it in the transaction of the change, so the log has
// an entry exactly when the change happened.
type auditRow struct {
	EventID        int64
	ActorID        *int64 // nil (or 0): nobody in particular, such as the command line
	Action         domain.AuditAction
	RegistrationID string // "" when the action is about no registration
	Day            *domain.Date
	MemberID       *int64
	Detail         domain.AuditDetail
}

func insertAudit(ctx context.Context, tx *dbTx, a auditRow) error {
	var regID, day *string
	if a.ActorID != nil && *a.ActorID == 0 {
		a.ActorID = nil
	}
	if a.RegistrationID != "" {
		regID = &a.RegistrationID
	}
	if a.Day != nil {
		d := a.Day.String()
		day = &d
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (event_id, at, actor_id, action, registration_id, day, member_id, detail)
		VALUES ($1, $2, $3, $4, $5::uuid, $6::date, $7, $8::jsonb)`,
		a.EventID, tx.now, a.ActorID, a.Action, regID, day, a.MemberID, detailValue(a.Detail))
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", a.Action, unavailable(err))
	}
	return nil
}

// RecordExport writes the audit entry of an export before its rows are
// sent, so that a list that left the building is logged even if the
// download breaks off.
func (s *Store) RecordExport(ctx context.Context, organizerID, eventID int64, detail domain.AuditDetail) error {
	return s.inTx(ctx, func(tx *dbTx) error {
		return insertAudit(ctx, tx, auditRow{EventID: eventID, ActorID: &organizerID,
			Action: domain.AuditExport, Detail: detail})
	})
}

// AuditFilter selects a page of an event's audit log, newest first.
type AuditFilter struct {
	Action string // "" for every action
	Limit  int
	Cursor string // from AuditPage.NextCursor
}

// AuditPage is one page of the log.
type AuditPage struct {
	Entries    []domain.AuditEntry
	NextCursor string // "" on the last page
}

// AuditLog reads an event's audit log, newest first. The cursor is the id
// of the last entry seen; a malformed one is a validation error.
func (s *Store) AuditLog(ctx context.Context, eventID int64, f AuditFilter) (AuditPage, error) {
	before := int64(-1)
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return AuditPage{}, domain.ValidationError([]domain.FieldError{{Field: "cursor", Code: "cursor",
				Message: "Cursor must be a next_cursor from an earlier page."}})
		}
		before = n
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var rows []struct {
		domain.AuditEntry
		RawDetail []byte `db:"raw_detail"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		SELECT a.id, a.at, a.action, actor.email AS actor, a.registration_id::text AS registration_id,
			a.day, member.email AS member, a.detail::text AS raw_detail
		FROM audit_log a
		LEFT JOIN organizers actor ON actor.id = a.actor_id
		LEFT JOIN organizers member ON member.id = a.member_id
		WHERE a.event_id = $1 AND ($2 = '' OR a.action = $2) AND ($3::bigint < 0 OR a.id < $3::bigint)
		ORDER BY a.id DESC LIMIT $4`, eventID, f.Action, before, f.Limit+1)
	if err != nil {
		return AuditPage{}, fmt.Errorf("store: audit log: %w", unavailable(err))
	}
	page := AuditPage{Entries: make([]domain.AuditEntry, 0, len(rows))}
	for i, r := range rows {
		if i == f.Limit {
			page.NextCursor = strconv.FormatInt(page.Entries[i-1].ID, 10)
			break
		}
		e := r.AuditEntry
		if err := json.Unmarshal(r.RawDetail, &e.Detail); err != nil {
			return AuditPage{}, fmt.Errorf("store: audit entry %d detail: %w", e.ID, err)
		}
		page.Entries = append(page.Entries, e)
	}
	return page, nil
}
