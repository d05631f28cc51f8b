package httpcore

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/metrics"
	"github.com/attend/attend/store"
)

// Measure counts and times every request by its route template (gin's
// FullPath, such as /r/:token) and status: the path itself, which holds
// slugs and link tokens, is never a label. A request no route matched is
// counted as metrics.Unmatched. With metrics off it only passes the
// request on.
func (s *Core) Measure() gin.HandlerFunc {
	m := s.Metrics
	if m == nil {
		return func(c *gin.Context) { c.Next() }
	}
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = metrics.Unmatched
		}
		m.ObserveRequest(c.Request.Method, route, c.Writer.Status(), time.Since(start))
	}
}

// CountRegistration counts a participant's registration request by its
// outcome: res and err as SubmitRegistration returns them, or an empty res
// and the error of a request refused before it (no such event, closed).
func (s *Core) CountRegistration(res store.RegisterResult, err error) {
	s.Metrics.Registration(registrationOutcome(res, err))
}

func registrationOutcome(res store.RegisterResult, err error) metrics.RegistrationOutcome {
	if err == nil {
		switch {
		case !res.Created:
			return metrics.AlreadyRegistered
		case res.Status == domain.StatusWaitlisted:
			return metrics.Waitlisted
		default:
			return metrics.Registered
		}
	}
	e, _ := domain.AsError(err)
	switch {
	case e == nil:
		return metrics.Failed
	case e.Code == domain.EInvalid:
		return metrics.Invalid
	case e.Code == domain.EClosed:
		return metrics.Closed
	case e.Code == domain.ENotFound:
		return metrics.NotFound
	default:
		return metrics.Failed
	}
}
