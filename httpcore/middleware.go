package httpcore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

const (
	ctxRequestID = "attend.request_id"
	ctxOrganizer = "attend.organizer"
)

// RequestID is the request's id, which its log lines and its error
// answers quote.
func RequestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// requestIDKey holds the request id in the request's context, where Protect
// puts it before routing.
type requestIDKey struct{}

// newRequestID is 16 hex digits, enough to find one request in the logs.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	return hex.EncodeToString(b[:])
}

// RequestIDs gives every request an id, echoed in X-Request-Id and in
// problem bodies so a user's report can be matched to the logs. Protect
// (security.go) makes the id before routing, so that a request it refuses
// has one too; this takes that id, and makes one only when the engine is
// served without Protect.
func RequestIDs() gin.HandlerFunc {
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

// NoStore keeps an answer out of browser and proxy caches: organizers'
// answers and a participant's own data are personal data.
func NoStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// Logging logs one line per request. It logs the route pattern, never
// the raw path or query, so secret link tokens never reach the logs.
func (s *Core) Logging() gin.HandlerFunc {
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
		s.Log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", RequestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// Recovery turns a panic into a logged 500 problem, never a dropped
// connection.
func (s *Core) Recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		s.Log.ErrorContext(c.Request.Context(), "panic", slog.String("request_id", RequestID(c)), slog.Any("panic", rec))
		s.Error(c, domain.Errorf(domain.EInternal, "panic"))
	})
}

// Limits caps the body size and the time one request may take.
func (s *Core) Limits() gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Set(ctxRawBody, c.Request.Body) // for a route with a limit of its own (BodyLimit)
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.Config.MaxBodyBytes)
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), s.Config.RequestTimeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// SetOrganizer records the organizer a request is authenticated as, by an
// API token or a dashboard session.
func SetOrganizer(c *gin.Context, o *domain.Organizer) { c.Set(ctxOrganizer, o) }

// Organizer is the organizer the request is authenticated as, or nil.
func Organizer(c *gin.Context) *domain.Organizer {
	o, _ := c.Get(ctxOrganizer)
	org, _ := o.(*domain.Organizer)
	return org
}
