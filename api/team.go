package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// ListMembers shows the event's team: its owner, organizers and door staff.
func (s *API) ListMembers(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	members, err := s.Store.Members(c.Request.Context(), ev.ID)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"members": members})
}

// AddMember puts someone on the team with a role, or changes the role of
// someone on it: 201 for a new member, 200 for a changed one. Someone
// without a password is emailed an invitation to set one ("invited").
func (s *API) AddMember(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	var in domain.MemberInput
	if !s.DecodeJSON(c, &in) {
		return
	}
	m, err := in.Validate()
	if err != nil {
		s.Error(c, err)
		return
	}
	res, err := s.Store.AddMember(c.Request.Context(), httpcore.Organizer(c).ID, ev, m)
	if err != nil {
		s.Error(c, err)
		return
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	c.JSON(status, res.Member)
}

// RemoveMember takes someone off the team (204). The owner stays (409).
func (s *API) RemoveMember(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	if err := s.Store.RemoveMember(c.Request.Context(), httpcore.Organizer(c).ID, ev, c.Param("email")); err != nil {
		s.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// AuditLog shows a page of the event's audit log, newest first.
func (s *API) AuditLog(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	q, err := domain.ParseAuditQuery(c.Query)
	if err != nil {
		s.Error(c, err)
		return
	}
	page, err := s.Store.AuditLog(c.Request.Context(), ev.ID, store.AuditFilter{Action: q.Action, Limit: q.Limit, Cursor: q.Cursor})
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"entries": page.Entries, "next_cursor": nextCursor(page.NextCursor)})
}
