package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// pathParams checks the ids and days in a request's path before anything is
// looked up. A malformed one is the client's mistake, answered 422 naming
// the parameter, not 404, which says that a well-formed id names nothing
// (or nothing of yours).
type pathParams struct {
	c      *gin.Context
	fields []domain.FieldError
}

func params(c *gin.Context) *pathParams { return &pathParams{c: c} }

// uuid reads a path parameter that must be a UUID, such as a registration id.
func (p *pathParams) uuid(name string) string {
	v := p.c.Param(name)
	if !domain.ValidUUID(v) {
		p.fields = append(p.fields, domain.FieldError{Field: name, Code: "uuid",
			Message: "The " + name + " in the path must be a UUID, such as 2be8ed75-900a-4946-b0bb-3a6ce3aa91d0."})
	}
	return v
}

// date reads a path parameter that must be a day, YYYY-MM-DD.
func (p *pathParams) date(name string) string {
	v := p.c.Param(name)
	if _, err := domain.ParseDate(v); err != nil {
		p.fields = append(p.fields, domain.FieldError{Field: name, Code: "date",
			Message: "The " + name + " in the path must be a date in the form YYYY-MM-DD."})
	}
	return v
}

// positive reads a path parameter that must be a whole number from 1.
func (p *pathParams) positive(name string) int64 {
	n, err := strconv.ParseInt(p.c.Param(name), 10, 64)
	if err != nil || n < 1 {
		p.fields = append(p.fields, domain.FieldError{Field: name, Code: "range", Param: "1-9223372036854775807",
			Message: "The " + name + " in the path must be a whole number from 1."})
	}
	return n
}

// ok answers 422 with every malformed parameter and reports false, or
// reports true when all were well formed.
func (p *pathParams) ok(s *API) bool {
	if err := domain.ValidationError(p.fields); err != nil {
		s.Error(p.c, err)
		return false
	}
	return true
}
