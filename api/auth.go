package api

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// Programs call the organizers' part of the API with a token,
// "Authorization: Bearer <token>"; only its SHA-256 is stored.

// RequireOrganizer authenticates "Authorization: Bearer <token>". Every
// answer to an organizer, a refusal included, is kept out of caches.
func (s *API) RequireOrganizer() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok || !domain.ValidTokenSyntax(token) {
			s.Error(c, domain.ErrUnauthorized)
			return
		}
		o, err := s.Store.OrganizerByTokenHash(c.Request.Context(), domain.HashToken(token))
		if err != nil {
			s.Error(c, err)
			return
		}
		httpcore.SetOrganizer(c, o)
		c.Next()
	}
}

// OptionalOrganizer authenticates when a token is sent, and answers 401 for
// a wrong one rather than silently treating the caller as the public.
func (s *API) OptionalOrganizer() gin.HandlerFunc {
	required := s.RequireOrganizer()
	return func(c *gin.Context) {
		if c.GetHeader("Authorization") == "" {
			c.Next()
			return
		}
		required(c)
	}
}

func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// Allow lets a member of the event's team through when their role grants
// p (httpcore.Core.Member): anyone else gets 404, as if the event did not
// exist, and a member whose role does not grant it 403.
func (s *API) Allow(p domain.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		if _, _, err := s.Member(c, p); err != nil {
			s.Error(c, err)
			return
		}
		c.Next()
	}
}

// managedEvent is the event Allow let the request through for. Without one
// it answers 404 itself and reports false, so handlers only return.
func (s *API) managedEvent(c *gin.Context) (*domain.Event, bool) {
	if ev := httpcore.MemberEvent(c); ev != nil {
		return ev, true
	}
	s.Error(c, domain.Errorf(domain.ENotFound, "no such event"))
	return nil, false
}

// nextCursor is the next_cursor of a page in JSON: null on the last page.
func nextCursor(cursor string) any {
	if cursor == "" {
		return nil
	}
	return cursor
}
