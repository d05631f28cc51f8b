package httpcore

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

// answer is how every front end answers one domain code: the status, and
// its words for programs (a problem type and title) and for people (an
// error page).
type answer struct {
	status int
	slug   string // the problem type's last part; its translations are found by it
	title  string // the problem's English title
	page   string // the error page's messages, errpage.<page>.title and .body
}

// answers is the one translation of domain codes into HTTP answers. The
// JSON problems (Error) and the HTML error pages (PageError) both read it,
// so an error has the same status whichever front end meets it.
var answers = map[domain.Code]answer{
	domain.EInvalid:            {http.StatusUnprocessableEntity, "validation-error", "Your request has invalid fields", "invalid"},
	domain.ENotFound:           {http.StatusNotFound, "not-found", "Not found", "not_found"},
	domain.EConflict:           {http.StatusConflict, "conflict", "Conflict with the current state", "conflict"},
	domain.EClosed:             {http.StatusConflict, "registration-closed", "Registration is closed", "closed"},
	domain.EUnauthorized:       {http.StatusUnauthorized, "unauthorized", "Authentication required", "unauthorized"},
	domain.EForbidden:          {http.StatusForbidden, "forbidden", "Not allowed for your role", "role"},
	domain.EGone:               {http.StatusGone, "gone", "This link is no longer valid", "link_gone"},
	domain.EInvitationRequired: {http.StatusForbidden, "invitation-required", "An invitation is required", "invitation_required"},
	domain.EUnavailable:        {http.StatusServiceUnavailable, "unavailable", "Service temporarily unavailable", "unavailable"},
	domain.EInternal:           {http.StatusInternalServerError, "internal-error", "Internal error", "internal"},
}

// ProblemType is the type URI of a problem slug.
func (s *Core) ProblemType(slug string) string {
	return s.Config.BaseURL.String() + "/problems/" + slug
}

// answerTo classifies err for an answer in any form, and does what every
// such answer does: internal errors are logged with the request id (and
// an unknown code counts as internal), unavailability asks for a retry,
// and a refusal of credentials names the scheme. It reports false when the
// client has gone, which ClientGone has answered.
func (s *Core) answerTo(c *gin.Context, err error) (domain.Code, answer, bool) {
	if s.ClientGone(c, err) {
		return "", answer{}, false
	}
	code := domain.ErrorCode(err)
	a, ok := answers[code]
	if !ok {
		code, a = domain.EInternal, answers[domain.EInternal]
	}
	switch code {
	case domain.EInternal:
		s.Log.ErrorContext(c.Request.Context(), "internal error", slog.String("request_id", RequestID(c)),
			slog.String("route", c.FullPath()), slog.Any("error", err))
	case domain.EUnavailable:
		c.Header("Retry-After", "5")
		s.Log.WarnContext(c.Request.Context(), "unavailable", slog.String("request_id", RequestID(c)), slog.Any("error", err))
	case domain.EUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="attend"`)
	}
	return code, a, true
}

// Error answers err as problem details. Domain errors show their message;
// anything else is logged with the request id and shown as "internal error".
func (s *Core) Error(c *gin.Context, err error) {
	code, a, ok := s.answerTo(c, err)
	if !ok {
		return
	}
	p := Problem{Type: s.ProblemType(a.slug), Title: a.title, Status: a.status, RequestID: RequestID(c), slug: a.slug}
	if e, ok := domain.AsError(err); ok && code != domain.EInternal {
		p.Detail = e.Message
		p.Errors = e.Fields
		p.Extra = e.Extra
	}
	if code == domain.EInternal {
		p.Detail = "An internal error occurred. Quote the request id when reporting it."
	}
	s.writeProblem(c, p)
}

// PageError answers err as a page in lang, with the status Error would
// give it. Internal errors are logged, never shown; the page quotes the
// request id instead. notFound names the page for ENotFound (a missing
// event and a bad link deserve different words).
func (s *Core) PageError(c *gin.Context, lang string, err error, notFound string) {
	code, a, ok := s.answerTo(c, err)
	if !ok {
		return
	}
	page := a.page
	if code == domain.ENotFound {
		page = notFound
	}
	s.Message(c, a.status, lang, page)
}

// statusClientClosed is nginx's "client closed request" (499).
const statusClientClosed = 499

// ClientGone handles an error caused by the client hanging up: its request
// context is cancelled, and the database call fails with context.Canceled
// (or, when PostgreSQL was already running the query, with "canceling
// statement due to user request", which the store reports as unavailable).
// That is no fault of the server, so it is logged at info as 499, not as an
// internal error and a 500 that would page someone whenever clients give
// up. It reports whether it answered.
func (s *Core) ClientGone(c *gin.Context, err error) bool {
	if !errors.Is(c.Request.Context().Err(), context.Canceled) {
		return false
	}
	if !errors.Is(err, context.Canceled) && domain.ErrorCode(err) != domain.EUnavailable {
		return false
	}
	s.Log.InfoContext(c.Request.Context(), "client gone", slog.String("request_id", RequestID(c)),
		slog.String("route", c.FullPath()), slog.Any("error", err))
	c.AbortWithStatus(statusClientClosed)
	return true
}

// BadRequest answers 400, 413 and other transport-level problems.
func (s *Core) BadRequest(c *gin.Context, status int, slug, title, detail string) {
	s.writeProblem(c, Problem{Type: s.ProblemType(slug), Title: title, Status: status, Detail: detail, RequestID: RequestID(c), slug: slug})
}

// writeProblem answers p, in the language the handler chose for its answer
// (reply_lang.go), English by default.
func (s *Core) writeProblem(c *gin.Context, p Problem) {
	if l := s.ReplyLocalizer(c); l != nil {
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
