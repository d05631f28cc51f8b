package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// WithdrawInvitation withdraws an invitation nobody has used: its link
// then says so and registers nobody (410). One that made a registration
// is 409: cancel the registration instead.
func (s *API) WithdrawInvitation(c *gin.Context) {
	s.changeInvitation(c, func(ev *domain.Event, orgID, id int64) (*domain.Invitee, error) {
		return s.Store.WithdrawInvitee(c.Request.Context(), orgID, ev, id)
	})
}

// ResendInvitation emails an invitation again, with a new link (the
// earlier one stops working), at most once every INVITEE_RESEND_INTERVAL
// (409 before, with retry_at); not one registered, declined or withdrawn.
func (s *API) ResendInvitation(c *gin.Context) {
	s.changeInvitation(c, func(ev *domain.Event, orgID, id int64) (*domain.Invitee, error) {
		return s.Store.ResendInvitee(c.Request.Context(), orgID, ev, id, s.Config.InviteeResendInterval)
	})
}

func (s *API) changeInvitation(c *gin.Context, change func(ev *domain.Event, orgID, id int64) (*domain.Invitee, error)) {
	pp := params(c)
	id := pp.positive("id")
	if !pp.ok(s) {
		return
	}
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	in, err := change(ev, httpcore.Organizer(c).ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, in)
}
