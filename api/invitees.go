package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// inviteesBody is the JSON form of an import: the rows, as objects, in
// {"invitees": [...]} or as a bare array.
type inviteesBody struct {
	Invitees []domain.InviteeInput `json:"invitees"`
}

// UnmarshalJSON takes the object or the bare array of rows. Any other JSON
// value is a wrong type of the field invitees, answered as such (422),
// rather than a decoder's message naming Go types.
func (b *inviteesBody) UnmarshalJSON(data []byte) error {
	var err error
	switch v := bytes.TrimLeft(data, " \t\r\n"); {
	case len(v) > 0 && v[0] == '[':
		err = json.Unmarshal(data, &b.Invitees)
	case len(v) > 0 && v[0] == '{':
		type plain inviteesBody // without this method
		err = json.Unmarshal(data, (*plain)(b))
	default:
		return &json.UnmarshalTypeError{Value: "value", Field: "invitees", Type: reflect.TypeOf(b.Invitees)}
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field == "" {
		typeErr.Field = "invitees"
	}
	return err
}

// ImportInvitations invites people to the event (issue 17), from JSON rows
// or a text/csv body (columns matched by header); ?dry_run=true previews
// without writing. Every row is answered with its outcome: invite
// (invited now), exists (invited before: nothing happens, no email),
// invalid (with its problems) or duplicate (earlier in the same body).
func (s *API) ImportInvitations(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	dryRun, err := strconv.ParseBool(c.DefaultQuery("dry_run", "false"))
	if err != nil {
		s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError("dry_run", "boolean", "")}))
		return
	}
	var rows []domain.InviteeInput
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "text/csv" {
		data, err := io.ReadAll(c.Request.Body)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.BadRequest(c, http.StatusRequestEntityTooLarge, "payload-too-large", "Request body too large",
				fmt.Sprintf("the body must be at most %d bytes", tooBig.Limit))
			return
		}
		if err != nil {
			s.BadRequest(c, http.StatusBadRequest, "unreadable-body", "Unreadable request body",
				"the request body could not be read completely")
			return
		}
		if rows, err = s.InviteesFromFile(data, "body"); err != nil {
			s.Error(c, err)
			return
		}
	} else {
		var body inviteesBody
		if !s.DecodeJSON(c, &body) {
			return
		}
		rows = body.Invitees
	}
	res, err := s.Core.ImportInvitees(c.Request.Context(), httpcore.Organizer(c).ID, ev, rows, dryRun)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// ListInvitations lists the event's invitations with their state, a page
// at a time (cursor, limit), filtered by state and delegation, with the
// count of each state among the delegation's invitations.
func (s *API) ListInvitations(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	q, err := domain.ParseInviteeQuery(c.Query)
	if err == nil && q.Before > 0 {
		err = domain.ValidationError([]domain.FieldError{domain.NewFieldError("before", "unknown", "")})
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	page, err := s.Store.InviteePageOf(c.Request.Context(), ev.ID, q)
	if err != nil {
		s.Error(c, err)
		return
	}
	counts := make(map[domain.InviteeState]int, len(domain.InviteeStates))
	for _, st := range domain.InviteeStates {
		counts[st] = page.Counts[st]
	}
	c.JSON(http.StatusOK, gin.H{"invitations": page.Invitees, "next_cursor": nextCursor(page.NextCursor()),
		"counts": counts, "total": page.Total})
}

// SetFocalPoint gives a focal point a quota of nominations for one
// delegation; they are emailed the link to their nomination page.
func (s *API) SetFocalPoint(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	var in domain.FocalPointInput
	if !s.DecodeJSON(c, &in) {
		return
	}
	in, err := s.Rules.CheckFocalPoint(ev, in)
	if err != nil {
		s.Error(c, err)
		return
	}
	fp, err := s.Store.SetFocalPoint(c.Request.Context(), httpcore.Organizer(c).ID, ev, in)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, fp)
}

// ListDelegations answers, per invited delegation, its quota and how many
// were nominated, invited, registered, confirmed and attended.
func (s *API) ListDelegations(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	counts, err := s.Store.DelegationCounts(c.Request.Context(), ev.ID)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"delegations": counts})
}
