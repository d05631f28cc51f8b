package admin

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// inviteeList is the invitations list's filters, counts and pages.
type inviteeList struct {
	Action      string // the filter form's (a GET of the page itself)
	States      []httpcore.Option
	Delegations []httpcore.Option
	// Counts are the number of invitations in each state (of the chosen
	// delegation), each a link that filters the list by it.
	Counts []stateCount
	Total  int
	// Prev and Next are the pages around this one, "" at either end.
	Prev, Next string
	// Keep is the list's view, which each button posts back.
	Keep     []keepField
	Filtered bool
}

type keepField struct{ Name, Value string }

type stateCount struct {
	State, Label, Class, Href string
	Count                     int
	Chosen                    bool
}

// inviteeList reads the list's query, loads its page and fills p's list;
// a bad query is a 422 page.
// The delegation filter offers the delegations of counts, those invited.
func (s *Admin) inviteeList(c *gin.Context, ev *domain.Event, v httpcore.View, p *invitationsPage, counts []store.DelegationCount) bool {
	get := c.Query
	if c.Request.Method != "GET" {
		get = func(string) string { return "" } // a form's answer shows the first page
	}
	q, err := domain.ParseInviteeQuery(get)
	if err != nil {
		s.PageError(c, v.Lang, err, "not_found")
		return false
	}
	page, err := s.Store.InviteePageOf(c.Request.Context(), ev.ID, q)
	if err != nil {
		s.PageError(c, v.Lang, err, "not_found")
		return false
	}
	self := eventAdminPath(ev.Slug) + "/invitations"
	l := &p.List
	l.Action, l.Total, l.Filtered = self, page.Total, q.State != "" || q.Delegation != ""
	filters := url.Values{}
	for k, val := range map[string]string{"state": q.State, "delegation": q.Delegation} {
		if val != "" {
			filters.Set(k, val)
		}
	}
	link := func(extra url.Values) string {
		u := url.Values{}
		for k, vs := range filters {
			u[k] = vs
		}
		for k, vs := range extra {
			u[k] = vs
		}
		return self + "?" + u.Encode() + "#invitees-title"
	}
	if page.More && len(page.Invitees) > 0 {
		l.Next = link(url.Values{"after": {strconv.FormatInt(page.Invitees[len(page.Invitees)-1].ID, 10)}})
	}
	if page.Earlier && len(page.Invitees) > 0 {
		l.Prev = link(url.Values{"before": {strconv.FormatInt(page.Invitees[0].ID, 10)}})
	}
	if q.After > 0 {
		filters.Set("after", strconv.FormatInt(q.After, 10))
	} else if q.Before > 0 {
		filters.Set("before", strconv.FormatInt(q.Before, 10))
	}
	for _, k := range listKeys {
		if val := filters.Get(k); val != "" {
			l.Keep = append(l.Keep, keepField{k, val})
		}
	}
	l.States = []httpcore.Option{{Value: "", Label: v.T("admin.invitees.all_states"), Selected: q.State == ""}}
	for _, st := range domain.InviteeStates {
		label := v.T("invitee.state." + string(st))
		l.States = append(l.States, httpcore.Option{Value: string(st), Label: label, Selected: q.State == string(st)})
		u := url.Values{"state": {string(st)}}
		if q.Delegation != "" {
			u.Set("delegation", q.Delegation)
		}
		l.Counts = append(l.Counts, stateCount{State: string(st), Label: label, Class: inviteeStateClass[st],
			Count: page.Counts[st], Chosen: q.State == string(st), Href: self + "?" + u.Encode() + "#invitees-title"})
	}
	l.Delegations = []httpcore.Option{{Value: "", Label: v.T("admin.invitees.all_delegations"), Selected: q.Delegation == ""}}
	for _, d := range counts {
		l.Delegations = append(l.Delegations, httpcore.Option{Value: d.Delegation, Label: delegationName(v.L, d.Delegation),
			Selected: d.Delegation == q.Delegation})
	}
	canManage := can(c, domain.PermChangeRegistrations)
	for _, in := range page.Invitees {
		row := inviteeRow{Name: strings.TrimSpace(in.FirstName + " " + in.LastName), Email: in.Email,
			Delegation: delegationName(v.L, in.Delegation), State: v.T("invitee.state." + string(in.State)),
			StateClass: inviteeStateClass[in.State]}
		base := self + "/" + strconv.FormatInt(in.ID, 10)
		if canManage && in.State != domain.InviteeRegistered && in.State != domain.InviteeWithdrawn {
			row.WithdrawAction = base + "/withdraw"
			if in.State != domain.InviteeDeclined {
				row.ResendAction = base + "/resend"
			}
		}
		p.Invitees = append(p.Invitees, row)
	}
	return true
}
