package httpcore

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// SubmitRegistration is the one path from a participant's input to a
// stored registration and its email, shared by the JSON API and the web
// form. Its outcome is counted.
func (s *Core) SubmitRegistration(ctx context.Context, ev *domain.Event, in domain.RegistrationInput) (res store.RegisterResult, err error) {
	defer func() { s.CountRegistration(res, err) }()
	reg, err := s.Rules.NewRegistration(in, ev, s.Now())
	if err != nil {
		return store.RegisterResult{}, err
	}
	if in.Invitation != "" {
		return s.Store.RegisterInvited(ctx, ev, reg, in.Invitation)
	}
	if ev.InvitationOnly { // refused at once, without taking the event's lock
		return store.RegisterResult{}, store.ErrInvitationRequired
	}
	return s.Store.Register(ctx, ev, reg)
}

// ListFilter reads the query of ev's registration list
// (domain.ParseListQuery, with the delegation and the answers to ev's
// questions) into the store's filter: the JSON list and its export, the
// dashboard's list and its export. A bad parameter is a validation error
// naming every one; the filter then holds what could be read.
func (s *Core) ListFilter(c *gin.Context, ev *domain.Event) (store.RegistrationFilter, error) {
	q, err := domain.ParseListQuery(c.Query, func(cursor string) error {
		_, err := store.DecodeCursor(cursor)
		return err
	})
	f := store.RegistrationFilter{Status: q.Status, Country: q.Country, Query: q.Search, Cursor: q.Cursor, Limit: q.Limit}
	var fields []domain.FieldError
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		fields = e.Fields
	} else if err != nil {
		return f, err
	}
	if d := c.Query("delegation"); d != "" {
		code, ok := s.Rules.Delegations().Canonical(d)
		if ok {
			f.Delegation = code
		} else {
			fields = append(fields, domain.NewFieldError("delegation", "delegation", ""))
		}
	}
	answers, bad := ev.Questions.AnswerFilters(c.QueryArray("answer"))
	if len(answers) > 0 {
		f.Answers = answers
	}
	fields = append(fields, bad...)
	return f, domain.ValidationError(fields)
}
