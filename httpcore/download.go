package httpcore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// Download sends the attendee list of ev's registrations that f matches as
// a file in format ("csv" or "xlsx", checked by the caller) and lang, for
// the JSON API and the dashboard alike. An error before the file's first
// byte is answered as a problem; one after it cuts the connection, so that
// the client reports a failed download rather than keeping a list that
// silently stops part way.
func (s *Core) Download(c *gin.Context, ev *domain.Event, f store.RegistrationFilter, format, lang string) {
	ctx, cancel := s.downloadContext(c)
	defer cancel()
	// The audit log has the download before a row leaves, so a list that
	// went out is logged even if the transfer breaks off.
	detail := domain.AuditDetail{Format: format, Status: f.Status, Country: f.Country, Search: f.Query != ""}
	if f.IncludeVisa {
		detail.Fields = []string{"visa"} // passport details left with the list
	}
	if err := s.Store.RecordExport(ctx, Organizer(c).ID, ev.ID, detail); err != nil {
		s.Error(c, err)
		return
	}
	name := fmt.Sprintf("%s-attendees-%s.%s", ev.Slug, domain.DateOf(s.Now().In(ev.Location())), format)
	mediaType, _ := export.ContentType(format) // checked by the handler
	out := &download{c: c, mediaType: mediaType, lang: lang, name: name}
	err := export.Export(ctx, s.Store, out, format, ev.In(lang), f, s.I18n.Localizer(lang),
		export.Options{GCPercent: s.Config.ExportGCPercent})
	switch {
	case err == nil:
	case errors.Is(err, export.ErrTempFiles):
		s.Log.WarnContext(ctx, "export: temporary files", slog.String("request_id", RequestID(c)), slog.Any("error", err))
	case !out.started:
		s.Error(c, err)
	default:
		s.abortDownload(c, err)
	}
}

// download is the response as the writer of a file (an export, a paper):
// the status and headers go out with the first byte, not before, so an
// error found before then can still be answered as problem details.
type download struct {
	c                     *gin.Context
	mediaType, lang, name string
	started               bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.started {
		d.started = true
		d.headers()
	}
	return d.c.Writer.Write(p)
}

// Flush sends what was written on to the client.
func (d *download) Flush() {
	if d.started {
		d.c.Writer.Flush()
	}
}

// headers sends the status and headers of a file download. The lists hold
// personal data: no caching anywhere.
func (d *download) headers() {
	c := d.c
	c.Header("Content-Type", d.mediaType)
	if d.lang != "" {
		c.Header("Content-Language", d.lang)
	}
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.name}))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()
}

// abortDownload ends a download that failed after its first bytes went
// out. Closing the connection without the final chunk makes the client
// report a failed download, rather than save a list that silently stops
// part way.
func (s *Core) abortDownload(c *gin.Context, err error) {
	s.Log.ErrorContext(c.Request.Context(), "export failed after it started", slog.String("request_id", RequestID(c)),
		slog.String("route", c.FullPath()), slog.Any("error", err))
	var w http.ResponseWriter = c.Writer
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	if h, ok := w.(http.Hijacker); ok {
		if conn, _, herr := h.Hijack(); herr == nil {
			_ = conn.Close() // the connection is being thrown away; nothing to report
		}
	}
	c.Abort()
}

// downloadContext gives a download the server's write timeout rather than
// the shorter request timeout, since a large workbook takes longer than a
// JSON answer, while still stopping as soon as the client goes away.
func (s *Core) downloadContext(c *gin.Context) (context.Context, context.CancelFunc) {
	return s.boundedContext(c, max(s.Config.WriteTimeout, s.Config.RequestTimeout))
}

// boundedContext is the request's context with the deadline d instead of
// the request timeout's.
func (s *Core) boundedContext(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	req := c.Request.Context()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req), d)
	stop := context.AfterFunc(req, func() {
		// The request's own deadline is the one this context replaces.
		if !errors.Is(req.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	return ctx, func() { stop(); cancel() }
}

// DownloadQuery reads a download's query: the list's filters (ListFilter),
// the format (csv, the default, or xlsx) and the language (DownloadLang),
// naming every bad parameter at once.
func (s *Core) DownloadQuery(c *gin.Context, ev *domain.Event) (f store.RegistrationFilter, format, lang string, err error) {
	f, err = s.ListFilter(c, ev)
	var fields []domain.FieldError
	if e, ok := domain.AsError(err); ok {
		fields = e.Fields
	}
	format = strings.ToLower(strings.TrimSpace(c.DefaultQuery("format", "csv")))
	if _, ok := export.ContentType(format); !ok {
		fields = append(fields, domain.NewFieldError("format", "oneof", "csv xlsx"))
	}
	lang, ok := DownloadLang(c.Request)
	if !ok {
		fields = append(fields, domain.NewFieldError("lang", "oneof", strings.Join(i18n.Supported, " ")))
	}
	// Passport details are personal data the list leaves out unless the
	// organizer asks for them by name.
	switch include, set := c.GetQuery("include"); {
	case !set || include == "":
	case include == "visa":
		f.IncludeVisa = true
	default:
		fields = append(fields, domain.NewFieldError("include", "oneof", "visa"))
	}
	return f, format, lang, domain.ValidationError(fields)
}
