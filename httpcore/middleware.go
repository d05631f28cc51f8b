package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

const (
	ctxRequestID = "attend.request_id"
	ctxOrganizer = "attend.organizer"
)

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// requestIDKey holds the request id in the request's context, where protect
// puts it before routing.
type requestIDKey struct{}

// newRequestID is 16 hex digits, enough to find one request in the logs.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// withRequestID gives every request an id, echoed in X-Request-Id and in
// problem bodies so a user's report can be matched to the logs. protect
// (security.go) makes the id before routing, so that a request it refuses
// has one too; this takes that id, and makes one only when the engine is
// served without protect.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id, _ := c.Request.Context().Value(requestIDKey{}).(string)
		if id == "" {
			id = newRequestID()
			c.Header("X-Request-Id", id)
		}
		c.Set(ctxRequestID, id)
		c.Next()
	}
}

// noStore keeps an answer out of browser and proxy caches: organizers'
// answers and a participant's own data are personal data.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// withLogging logs one line per request. It logs the route pattern, never
// the raw path or query, so secret link tokens never reach the logs.
func (s *Server) withLogging() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "(no route)"
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// withRecovery turns a panic into a logged 500 problem, never a dropped
// connection.
func (s *Server) withRecovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		s.log.ErrorContext(c.Request.Context(), "panic", slog.String("request_id", requestID(c)), slog.Any("panic", rec))
		s.Error(c, domain.Errorf(domain.EInternal, "panic"))
	})
}

// withLimits caps the body size and the time one request may take.
func (s *Server) withLimits() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.MaxBodyBytes)
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// requireOrganizer authenticates "Authorization: Bearer <token>". Every
// answer to an organizer, a refusal included, is kept out of caches.
func (s *Server) requireOrganizer() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		token, ok := bearer(c.GetHeader("Authorization"))
		if !ok || !domain.ValidTokenSyntax(token) {
			s.Error(c, domain.ErrUnauthorized)
			return
		}
		o, err := s.store.OrganizerByTokenHash(c.Request.Context(), domain.HashToken(token))
		if err != nil {
			s.Error(c, err)
			return
		}
		c.Set(ctxOrganizer, o)
		c.Next()
	}
}

// optionalOrganizer authenticates when a token is sent, and answers 401 for
// a wrong one rather than silently treating the caller as the public.
func (s *Server) optionalOrganizer() gin.HandlerFunc {
	required := s.requireOrganizer()
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

func organizer(c *gin.Context) *domain.Organizer {
	o, _ := c.Get(ctxOrganizer)
	org, _ := o.(*domain.Organizer)
	return org
}
