package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/attend/attend/domain"
)

// InviteePage is a page of invitations, with the counts of every state
// among the invitations of the query's delegation (every page the same).
type InviteePage struct {
	Invitees []domain.Invitee
	// More: there are invitations after this page; Earlier: before it.
	More, Earlier bool
	Counts        map[domain.InviteeState]int
	Total         int
}

// inviteeView is the invitations of an event ($1) with their derived
// state, as a table the filters apply to; $2 is a delegation or ”.
const inviteeView = `(SELECT ` + inviteeColumns + ` FROM invitees i
	WHERE i.event_id = $1 AND i.erased_at IS NULL AND ($2 = '' OR coalesce(i.delegation, '') = $2)) v`

// inviteeViewColumns reads inviteeView's columns by name.
const inviteeViewColumns = `v.id, v.email, v.first_name, v.last_name, v.delegation, v.organization, v.position,
	v.language, v.nominated, v.registration_id, v.created_at, v.state`

// InviteePageOf answers q for the event eventID.
func (s *Store) InviteePageOf(ctx context.Context, eventID int64, q domain.InviteeQuery) (*InviteePage, error) {
	page := &InviteePage{Invitees: []domain.Invitee{}, Counts: map[domain.InviteeState]int{}}
	err := s.inTx(ctx, func(tx *dbTx) error {
		var counts []struct {
			State domain.InviteeState `db:"state"`
			N     int                 `db:"n"`
		}
		if err := tx.SelectContext(ctx, &counts, `SELECT v.state, count(*) AS n FROM `+inviteeView+` GROUP BY v.state`,
			eventID, q.Delegation); err != nil {
			return fmt.Errorf("store: count invitees: %w", unavailable(err))
		}
		for _, c := range counts {
			page.Counts[c.State] = c.N
			page.Total += c.N
		}
		where, order := `v.id > $4`, `v.id`
		bound := q.After
		if q.Before > 0 {
			where, order, bound = `v.id < $4`, `v.id DESC`, q.Before
		}
		if err := tx.SelectContext(ctx, &page.Invitees, `SELECT `+inviteeViewColumns+` FROM `+inviteeView+`
			WHERE ($3 = '' OR v.state = $3) AND `+where+` ORDER BY `+order+` LIMIT $5`,
			eventID, q.Delegation, q.State, bound, q.Limit+1); err != nil {
			return fmt.Errorf("store: invitees page: %w", unavailable(err))
		}
		if len(page.Invitees) > q.Limit {
			page.Invitees = page.Invitees[:q.Limit]
			if q.Before > 0 {
				page.Earlier = true
			} else {
				page.More = true
			}
		}
		if q.Before > 0 {
			for i, j := 0, len(page.Invitees)-1; i < j; i, j = i+1, j-1 {
				page.Invitees[i], page.Invitees[j] = page.Invitees[j], page.Invitees[i]
			}
			page.More = true // the page Before started from
		} else if q.After > 0 {
			page.Earlier = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// NextCursor is the cursor of the page after p (the API's next_cursor),
// "" on the last page.
func (p *InviteePage) NextCursor() string {
	if !p.More || len(p.Invitees) == 0 {
		return ""
	}
	return strconv.FormatInt(p.Invitees[len(p.Invitees)-1].ID, 10)
}
