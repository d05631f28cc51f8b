package httpcore

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/httprate"

	"github.com/attend/attend/metrics"
)

// registrationLimiter caps registration requests per client IP, over the
// web form and the JSON API together. The counters live in memory, in a
// sliding window (github.com/go-chi/httprate): only the current and the
// previous window are kept, so memory is bounded by the clients of two
// windows. Clients are counted by clientKey (IPv6 by their prefix).
type registrationLimiter struct {
	rl     *httprate.RateLimiter
	window time.Duration
}

func newRegistrationLimiter(limit int, window time.Duration) *registrationLimiter {
	if limit <= 0 {
		limit = 10
	}
	if window <= 0 {
		window = time.Minute
	}
	return &registrationLimiter{
		rl: httprate.NewRateLimiter(limit, window, httprate.WithResponseHeaders(httprate.ResponseHeaders{
			Limit: "X-RateLimit-Limit", Remaining: "X-RateLimit-Remaining", Reset: "X-RateLimit-Reset",
		})),
		window: window,
	}
}

// LimitRegistrations counts one registration attempt of the client and
// answers 429 with Retry-After when it is over the limit: problem details
// for the API, a page for the form.
func (s *Core) LimitRegistrations(c *gin.Context) {
	// An organizer's walk-ins at a busy desk are not limited: without a
	// valid token such a request creates nothing (401), so skipping the
	// limit for it opens nothing to abuse.
	if c.GetHeader("Authorization") != "" && IsAPIPath(c.Request.URL.Path) {
		c.Next()
		return
	}
	if !s.limiter.rl.OnLimit(c.Writer, c.Request, s.ClientKey(c)) {
		c.Next()
		return
	}
	s.Metrics.Registration(metrics.RateLimited)
	retry := max(1, int(math.Ceil(s.limiter.window.Seconds())))
	c.Header("Retry-After", strconv.Itoa(retry))
	if IsAPIPath(c.Request.URL.Path) {
		ReplyInAcceptLanguage(c) // the body is not read: the header is all there is
		s.BadRequest(c, http.StatusTooManyRequests, "rate-limited", "Too many registrations",
			"too many registration requests from this address; retry after "+strconv.Itoa(retry)+" seconds")
		return
	}
	s.Message(c, http.StatusTooManyRequests, s.BrowserLang(c.Writer, c.Request), "rate_limited")
}
