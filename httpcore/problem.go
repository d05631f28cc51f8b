package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Errors    []domain.FieldError `json:"errors,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Extra     map[string]any      `json:"-"`
	// slug is the last part of Type; translations are found by it.
	slug string
}

// problemKinds maps each domain code to its status, type and title.
var problemKinds = map[domain.Code]struct {
	status int
	slug   string
	title  string
}{
	domain.EInvalid:      {http.StatusUnprocessableEntity, "validation-error", "Your request has invalid fields"},
	domain.ENotFound:     {http.StatusNotFound, "not-found", "Not found"},
	domain.EConflict:     {http.StatusConflict, "conflict", "Conflict with the current state"},
	domain.EClosed:       {http.StatusConflict, "registration-closed", "Registration is closed"},
	domain.EUnauthorized: {http.StatusUnauthorized, "unauthorized", "Authentication required"},
	domain.EGone:         {http.StatusGone, "gone", "This link is no longer valid"},
	domain.EUnavailable:  {http.StatusServiceUnavailable, "unavailable", "Service temporarily unavailable"},
	domain.EInternal:     {http.StatusInternalServerError, "internal-error", "Internal error"},
}

// ProblemType is the type URI of a problem slug.
func (s *Server) ProblemType(slug string) string {
	return s.cfg.BaseURL.String() + "/problems/" + slug
}

// Error answers err as problem details. Domain errors show their message;
// anything else is logged with the request id and shown as "internal error".
func (s *Server) Error(c *gin.Context, err error) {
	if s.clientGone(c, err) {
		return
	}
	code := domain.ErrorCode(err)
	kind, ok := problemKinds[code]
	if !ok {
		kind = problemKinds[domain.EInternal]
	}
	p := Problem{Type: s.ProblemType(kind.slug), Title: kind.title, Status: kind.status, RequestID: requestID(c), slug: kind.slug}
	if e, ok := domain.AsError(err); ok && code != domain.EInternal {
		p.Detail = e.Message
		p.Errors = e.Fields
		p.Extra = e.Extra
	}
	switch code {
	case domain.EInternal:
		p.Detail = "An internal error occurred. Quote the request id when reporting it."
		s.log.ErrorContext(c.Request.Context(), "internal error", slog.String("request_id", p.RequestID),
			slog.String("route", c.FullPath()), slog.Any("error", err))
	case domain.EUnavailable:
		c.Header("Retry-After", "5")
		s.log.WarnContext(c.Request.Context(), "unavailable", slog.String("request_id", p.RequestID), slog.Any("error", err))
	case domain.EUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="attend"`)
	}
	s.writeProblem(c, p)
}

// statusClientClosed is nginx's "client closed request" (499).
const statusClientClosed = 499

// clientGone handles an error caused by the client hanging up: its request
// context is cancelled, and the database call fails with context.Canceled
// (or, when PostgreSQL was already running the query, with "canceling
// statement due to user request", which the store reports as unavailable).
// That is no fault of the server, so it is logged at info as 499, not as an
// internal error and a 500 that would page someone whenever clients give
// up. It reports whether it answered.
func (s *Server) clientGone(c *gin.Context, err error) bool {
	if !errors.Is(c.Request.Context().Err(), context.Canceled) {
		return false
	}
	if !errors.Is(err, context.Canceled) && domain.ErrorCode(err) != domain.EUnavailable {
		return false
	}
	s.log.InfoContext(c.Request.Context(), "client gone", slog.String("request_id", requestID(c)),
		slog.String("route", c.FullPath()), slog.Any("error", err))
	c.AbortWithStatus(statusClientClosed)
	return true
}

// badRequest answers 400, 413 and other transport-level problems.
func (s *Server) badRequest(c *gin.Context, status int, slug, title, detail string) {
	s.writeProblem(c, Problem{Type: s.ProblemType(slug), Title: title, Status: status, Detail: detail, RequestID: requestID(c), slug: slug})
}

// writeProblem answers p, in the language the handler chose for its answer
// (reply_lang.go), English by default.
func (s *Server) writeProblem(c *gin.Context, p Problem) {
	if l := s.replyLocalizer(c); l != nil {
		p = s.localizeProblem(c, l, p)
	}
	body := map[string]any{"type": p.Type, "title": p.Title, "status": p.Status}
	if p.Detail != "" {
		body["detail"] = p.Detail
	}
	if len(p.Errors) > 0 {
		body["errors"] = p.Errors
	}
	if p.RequestID != "" {
		body["request_id"] = p.RequestID
	}
	for k, v := range p.Extra {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	c.Header("Content-Type", "application/problem+json")
	c.Status(p.Status)
	c.Render(p.Status, problemJSON{body})
	c.Abort()
}
