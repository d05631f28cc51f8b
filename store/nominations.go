package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"

	"github.com/attend/attend/domain"
)

// SetFocalPoint gives a focal point a quota of nominations for a
// delegation of ev, and emails them a fresh link to the nomination page,
// in one transaction. Giving a delegation a quota again replaces its focal
// point and quota (the old link stops working); a quota below the
// nominations already made is a conflict.
func (s *Store) SetFocalPoint(ctx context.Context, organizerID int64, ev *domain.Event, in domain.FocalPointInput) (*domain.FocalPoint, error) {
	hash, sealed, err := s.newLink()
	if err != nil {
		return nil, err
	}
	var fp domain.FocalPoint
	err = s.inTx(ctx, func(tx *dbTx) error {
		err := tx.GetContext(ctx, &fp, `
			INSERT INTO focal_points (event_id, delegation, email, language, quota, token_hash, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (event_id, delegation) DO UPDATE SET email = EXCLUDED.email, language = EXCLUDED.language,
				quota = EXCLUDED.quota, token_hash = EXCLUDED.token_hash
			RETURNING id, delegation, email, language, quota, nominated`,
			ev.ID, in.Delegation, in.Email, in.Language, in.Quota, hash, tx.now)
		if isCheckViolation(err) {
			return &domain.Error{Code: domain.EConflict, Message: "the quota is below the nominations already made",
				Fields: []domain.FieldError{{Field: "quota", Code: "min", Message: "Quota is below the nominations already made."}}}
		}
		if err != nil {
			return fmt.Errorf("store: set focal point: %w", unavailable(err))
		}
		deadline := domain.InviteeDeadline(ev)
		payload := EmailPayload{SealedToken: sealed, Deadline: &deadline, Quota: fp.Quota, Delegation: fp.Delegation}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO emails (event_id, kind, language, recipient, payload, message_id, created_at, next_attempt_at)
			VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $7)`,
			ev.ID, domain.EmailNominationRequest, fp.Language, fp.Email, payload,
			domain.NewMessageID(s.MailHost, tx.now), tx.now); err != nil {
			return fmt.Errorf("store: queue nomination request: %w", unavailable(err))
		}
		tx.queuedEmail = true
		return insertAudit(ctx, tx, auditRow{EventID: ev.ID, ActorID: &organizerID,
			Action: domain.AuditNominationQuota, Detail: domain.AuditDetail{Delegation: fp.Delegation, Count: fp.Quota}})
	})
	if err != nil {
		return nil, err
	}
	return &fp, nil
}

// Nominations is what a focal point's page shows: the quota, the event,
// and who was nominated so far.
type Nominations struct {
	FocalPoint domain.FocalPoint
	Event      *domain.Event
	Nominees   []domain.Invitee
}

// NominationsByToken resolves a focal point's link. It reads only.
func (s *Store) NominationsByToken(ctx context.Context, hash []byte) (*Nominations, error) {
	var n Nominations
	var eventID int64
	row := struct {
		domain.FocalPoint
		EventID *int64 `db:"event_id"`
	}{}
	err := s.db.GetContext(ctx, &row, `
		SELECT id, delegation, email, language, quota, nominated, event_id FROM focal_points WHERE token_hash = $1`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.Errorf(domain.ENotFound, "this nomination link is not valid")
	}
	if err != nil {
		return nil, fmt.Errorf("store: focal point: %w", unavailable(err))
	}
	n.FocalPoint, eventID = row.FocalPoint, *row.EventID
	if n.Event, err = getEvent(ctx, s.db, `SELECT `+eventColumns+` FROM events e WHERE e.id = $1`, eventID); err != nil {
		return nil, err
	}
	n.Nominees = []domain.Invitee{}
	if err := s.db.SelectContext(ctx, &n.Nominees, `
		SELECT `+inviteeColumns+` FROM invitees i WHERE i.focal_point_id = $1 AND i.erased_at IS NULL ORDER BY i.id`,
		n.FocalPoint.ID); err != nil {
		return nil, fmt.Errorf("store: nominees: %w", unavailable(err))
	}
	return &n, nil
}

// errQuotaReached refuses a nomination beyond the focal point's quota.
func errQuotaReached(quota int) error {
	return &domain.Error{Code: domain.EConflict,
		Message: fmt.Sprintf("the quota of %d nominations has been reached", quota),
		Extra:   map[string]any{"reason": "quota_reached", "quota": quota}}
}

// Nominate invites a focal point's nominee, in one transaction that takes
// a place of the quota first: the focal point's row is updated only while
// places are left, so concurrent nominations beyond the quota are refused
// (and the CHECK on focal_points would refuse them too). An address the
// event invited before is a conflict, and the place is given back.
func (s *Store) Nominate(ctx context.Context, hash []byte, rules *domain.Rules, in domain.InviteeInput) (*Nominations, error) {
	n, err := s.NominationsByToken(ctx, hash)
	if err != nil {
		return nil, err
	}
	if !s.Now().Before(domain.InviteeDeadline(n.Event)) {
		return nil, domain.Errorf(domain.EClosed, "registration for this event has closed")
	}
	in, err = rules.CheckNomination(n.Event, &n.FocalPoint, in)
	if err != nil {
		return nil, err
	}
	err = s.inTx(ctx, func(tx *dbTx) error {
		var taken []int64
		if err := tx.SelectContext(ctx, &taken, `
			UPDATE focal_points SET nominated = nominated + 1
			WHERE id = $1 AND token_hash = $2 AND nominated < quota RETURNING id`, n.FocalPoint.ID, hash); err != nil {
			return fmt.Errorf("store: take a nomination: %w", unavailable(err))
		}
		if len(taken) == 0 {
			var quota int
			if err := tx.GetContext(ctx, &quota, `SELECT quota FROM focal_points WHERE id = $1`, n.FocalPoint.ID); err != nil {
				return fmt.Errorf("store: quota: %w", unavailable(err))
			}
			return errQuotaReached(quota)
		}
		created, err := s.insertInvitee(ctx, tx, n.Event, in, &n.FocalPoint.ID)
		if err != nil {
			return err
		}
		if !created {
			return &domain.Error{Code: domain.EConflict, Message: "this address has already been invited",
				Fields: []domain.FieldError{{Field: "email", Code: "invited", Message: "This address has already been invited."}}}
		}
		return insertAudit(ctx, tx, auditRow{EventID: n.Event.ID, Action: domain.AuditNomination,
			Detail: domain.AuditDetail{Delegation: n.FocalPoint.Delegation}})
	})
	if err != nil {
		return nil, err
	}
	return s.NominationsByToken(ctx, hash)
}

// DelegationCount is one delegation's line in the invitations dashboard.
type DelegationCount struct {
	Delegation string  `json:"delegation" db:"delegation"`
	FocalPoint *string `json:"focal_point" db:"focal_point"`
	Quota      *int    `json:"quota" db:"quota"`
	Nominated  int     `json:"nominated" db:"nominated"`
	Invited    int     `json:"invited" db:"invited"`
	Registered int     `json:"registered" db:"registered"`
	Confirmed  int     `json:"confirmed" db:"confirmed"`
	Attended   int     `json:"attended" db:"attended"`
}

// DelegationCounts lists, for every delegation ev invited (by a focal
// point's quota or by an invitee of that delegation), its quota,
// nominations, invitations, and the registrations of that delegation
// (cancelled and expired ones not counted), confirmed and attended. A line
// whose Registered is 0 is a delegation that sent no one.
func (s *Store) DelegationCounts(ctx context.Context, eventID int64) ([]DelegationCount, error) {
	out := []DelegationCount{}
	err := s.db.SelectContext(ctx, &out, `
		WITH d AS (
			SELECT delegation FROM focal_points WHERE event_id = $1
			UNION SELECT delegation FROM invitees WHERE event_id = $1 AND delegation IS NOT NULL
		), r AS (
			SELECT coalesce(r.delegation, r.country) AS delegation, r.status,
				EXISTS (SELECT 1 FROM checkins c WHERE c.registration_id = r.id) AS attended
			FROM registrations r WHERE r.event_id = $1 AND r.status NOT IN ('cancelled', 'expired')
		)
		SELECT d.delegation, fp.email AS focal_point, fp.quota, coalesce(fp.nominated, 0) AS nominated,
			(SELECT count(*) FROM invitees i WHERE i.event_id = $1 AND i.delegation = d.delegation) AS invited,
			(SELECT count(*) FROM r WHERE r.delegation = d.delegation) AS registered,
			(SELECT count(*) FROM r WHERE r.delegation = d.delegation AND r.status = 'confirmed') AS confirmed,
			(SELECT count(*) FROM r WHERE r.delegation = d.delegation AND r.attended) AS attended
		FROM d LEFT JOIN focal_points fp ON fp.event_id = $1 AND fp.delegation = d.delegation
		ORDER BY d.delegation`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: delegation counts: %w", unavailable(err))
	}
	return out, nil
}

// isCheckViolation reports a CHECK constraint's refusal.
func isCheckViolation(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23514"
}
