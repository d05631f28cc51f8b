package httpcore

import (
	"io"
	"net/http"

	"github.com/gin-gonic/gin"
)

const (
	ctxRawBody   = "attend.raw_body"
	ctxBodyLimit = "attend.body_limit"
)

// ImportBodyLimit gives a route that takes a list of invitees (an XLSX or
// CSV file, or its rows) INVITEE_IMPORT_MAX_BYTES instead of
// MAX_BODY_BYTES: spreadsheets carry styles and themes, and an ordinary
// one of a few hundred rows outgrows the limit meant for forms and JSON.
// It must come before anything that reads the body.
func (s *Core) ImportBodyLimit(c *gin.Context) { s.setBodyLimit(c, s.Config.InviteeImportMaxBytes) }

// setBodyLimit bounds the request's body by limit instead of Limits'
// MAX_BODY_BYTES.
func (s *Core) setBodyLimit(c *gin.Context, limit int64) {
	raw, ok := c.Get(ctxRawBody)
	body, isBody := raw.(io.ReadCloser)
	if !ok || !isBody {
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, body, limit)
	c.Set(ctxBodyLimit, limit)
}

// BodyLimit is the largest body the request's route accepts, as its 413
// problem says.
func (s *Core) BodyLimit(c *gin.Context) int64 {
	if n, ok := c.Get(ctxBodyLimit); ok {
		if limit, ok := n.(int64); ok {
			return limit
		}
	}
	return s.Config.MaxBodyBytes
}
