package api

import (
	"github.com/gin-gonic/gin"
)

// ExportRegistrations downloads every registration that matches the list's
// filters (status, country, q) as CSV or XLSX, one row each, with a column
// per event day holding the check-in time, in the language of ?lang= (see
// httpcore.DownloadLang). Rows stream from one database query, so memory
// stays flat whatever the size of the event.
func (s *API) ExportRegistrations(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	f, format, lang, err := s.DownloadQuery(c, ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	s.Download(c, ev, f, format, lang)
}
