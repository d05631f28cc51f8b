package httpcore

import (
	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// An event is run by a team (domain.TeamRole); every organizer route names
// the permission it needs, and the front ends' Allow middleware checks it
// with Member before the handler runs. Someone not on the team gets "not
// found", as if the event did not exist; a member whose role lacks the
// permission gets EForbidden (403), so door staff learn the page is not
// theirs rather than that the event is gone.

const (
	ctxMemberEvent = "attend.member.event"
	ctxMemberRole  = "attend.member.role"
)

// Member loads the event named in the path and the signed-in organizer's
// role on it, and checks that the role grants p. On success the event and
// the role are kept for the handler (MemberEvent, MemberRole).
func (s *Core) Member(c *gin.Context, p domain.Permission) (*domain.Event, domain.TeamRole, error) {
	ev, role, err := s.Store.Membership(c.Request.Context(), Organizer(c).ID, c.Param("slug"))
	if err != nil {
		return nil, "", err
	}
	if !role.Can(p) {
		return nil, role, domain.Forbidden(p)
	}
	c.Set(ctxMemberEvent, ev)
	c.Set(ctxMemberRole, role)
	return ev, role, nil
}

// MemberEvent is the event Member loaded, or nil.
func MemberEvent(c *gin.Context) *domain.Event {
	ev, _ := c.Get(ctxMemberEvent)
	e, _ := ev.(*domain.Event)
	return e
}

// MemberRole is the role Member found, or "".
func MemberRole(c *gin.Context) domain.TeamRole {
	r, _ := c.Get(ctxMemberRole)
	role, _ := r.(domain.TeamRole)
	return role
}
