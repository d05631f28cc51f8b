package httpcore

import (
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/static"
)

// Script serves one of the embedded scripts (static.FS), for the door
// page: from this site, as the Content-Security-Policy requires.
func (s *Core) Script(name string) gin.HandlerFunc {
	body, err := fs.ReadFile(static.FS, name)
	return func(c *gin.Context) {
		if err != nil { // embedded at build time: only a broken build gets here
			s.Error(c, domain.Errorf(domain.EInternal, "missing script %s", name))
			return
		}
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", body)
	}
}
