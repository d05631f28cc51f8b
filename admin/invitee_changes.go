package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// The buttons of one invitation on the invitations page: withdraw it, or
// email it again. Each is a form that posts here and comes back to the
// same view of the list (its filters and page) with a notice.

// inviteeNotices are the outcomes the invitations page may be sent back
// with: ?done=<key> or ?error=<key>.
var inviteeNotices = map[string]notice{
	"done:withdrawn":    {"admin.invitees.withdrawn", "ok"},
	"done:resent":       {"admin.invitees.resent", "ok"},
	"error:used":        {"admin.invitees.error.used", "error"},
	"error:resend_soon": {"admin.invitees.error.resend_soon", "error"},
	"error:not_open":    {"admin.invitees.error.not_open", "error"},
}

// inviteeNotice is the notice the query names, translated, or nil.
func inviteeNotice(c *gin.Context, v httpcore.View) *notice {
	for _, kind := range []string{"error", "done"} {
		if n, ok := inviteeNotices[kind+":"+c.Query(kind)]; ok {
			return &notice{Text: v.T(n.Text, "Param", c.Query("minutes")), Class: n.Class}
		}
	}
	return nil
}

// listKeys are the query parameters of the invitations list that a button
// carries back.
var listKeys = []string{"state", "delegation", "after", "before"}

// WithdrawInvitation withdraws an unused invitation.
func (s *Admin) WithdrawInvitation(c *gin.Context) {
	s.changeInvitation(c, func(ev *domain.Event, orgID, id int64) (string, error) {
		_, err := s.Store.WithdrawInvitee(c.Request.Context(), orgID, ev, id)
		return "withdrawn", err
	})
}

// ResendInvitation emails an invitation again, with a new link.
func (s *Admin) ResendInvitation(c *gin.Context) {
	s.changeInvitation(c, func(ev *domain.Event, orgID, id int64) (string, error) {
		_, err := s.Store.ResendInvitee(c.Request.Context(), orgID, ev, id, s.Config.InviteeResendInterval)
		return "resent", err
	})
}

// eventAndID reads the form of a button on one thing of an event: the
// event, and the thing's id in the path (a malformed one names nothing:
// notFound, 404).
func (s *Admin) eventAndID(c *gin.Context, lang, notFound string) (*domain.Event, int64, bool) {
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return nil, 0, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.PageError(c, lang, domain.Errorf(domain.ENotFound, "%s", notFound), "not_found")
		return nil, 0, false
	}
	return ev, id, true
}

func (s *Admin) changeInvitation(c *gin.Context, change func(ev *domain.Event, orgID, id int64) (string, error)) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, id, ok := s.eventAndID(c, lang, "no such invitation")
	if !ok {
		return
	}
	q := url.Values{}
	for _, k := range listKeys {
		if v := strings.TrimSpace(c.PostForm(k)); v != "" {
			q.Set(k, v)
		}
	}
	done, err := change(ev, httpcore.Organizer(c).ID, id)
	switch e, _ := domain.AsError(err); {
	case err == nil:
		q.Set("done", done)
	case e != nil && e.Code == domain.EConflict && e.Extra["retry_at"] != nil:
		q.Set("error", "resend_soon")
		q.Set("minutes", strconv.Itoa(max(1, int(s.Config.InviteeResendInterval.Minutes()))))
	case e != nil && e == store.ErrInviteeUsed:
		q.Set("error", "used")
	case e != nil && e.Code == domain.EConflict:
		q.Set("error", "not_open")
	default:
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/invitations?"+q.Encode()+"#invitees-title")
}
