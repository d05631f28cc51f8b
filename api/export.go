package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// exportRegistrations downloads every registration that matches the list's
// filters (status, country, q) as CSV or XLSX, one row each, with a column
// per event day holding the check-in time, in the language of ?lang= (see
// exportLang). Rows stream from one database query, so memory stays flat
// whatever the size of the event.
func (s *Server) exportRegistrations(c *gin.Context) {
	ctx, cancel := s.exportContext(c)
	defer cancel()
	ev, err := s.store.ManagedEvent(ctx, organizer(c).ID, c.Param("slug"))
	if err != nil {
		s.Error(c, err)
		return
	}
	f, err := registrationFilter(c)
	var fields []domain.FieldError
	if e, ok := domain.AsError(err); ok {
		fields = e.Fields
	}
	format := strings.ToLower(strings.TrimSpace(c.DefaultQuery("format", "csv")))
	if _, ok := export.ContentType(format); !ok {
		fields = append(fields, domain.FieldError{Field: "format", Code: "oneof", Param: "csv xlsx",
			Message: "Format must be one of: csv, xlsx."})
	}
	lang, ok := exportLang(c.Request)
	if !ok {
		fields = append(fields, domain.FieldError{Field: "lang", Code: "oneof", Param: strings.Join(i18n.Supported, " "),
			Message: "Lang must be one of: " + strings.Join(i18n.Supported, ", ") + "."})
	}
	if err := domain.ValidationError(fields); err != nil {
		s.Error(c, err)
		return
	}
	f.Cursor, f.Limit = "", 0 // paging belongs to the list; an export has every match
	name := fmt.Sprintf("%s-attendees-%s.%s", ev.Slug, domain.DateOf(s.now().In(ev.Location())), format)
	l := s.web.i18n.Localizer(lang)
	if format == "xlsx" {
		s.exportXLSX(ctx, c, ev, f, l, name)
		return
	}
	s.exportCSV(ctx, c, ev, f, l, name)
}

// exportLang is the language of an export's headers and country names:
// ?lang= when given (ok is false when attend does not speak it), else the
// language the organizer's dashboard is shown in (its cookie, then the
// browser's Accept-Language), else English. A script calling the API with
// neither gets the English it always had.
func exportLang(r *http.Request) (lang string, ok bool) {
	q := r.URL.Query()
	if q.Has("lang") {
		return i18n.Match(q.Get("lang"))
	}
	cookie := ""
	if ck, err := r.Cookie(langCookie); err == nil {
		cookie = ck.Value
	}
	return i18n.Negotiate("", cookie, r.Header.Get("Accept-Language")), true
}

// exportCSV streams the CSV: the headers go out with the first batch, each
// batch is flushed to the client as it is written.
func (s *Server) exportCSV(ctx context.Context, c *gin.Context, ev *domain.Event, f store.RegistrationFilter, l *i18n.Localizer, name string) {
	var w *export.CSV
	start := func() error {
		s.downloadHeaders(c, "csv", l.Lang(), name)
		var err error
		w, err = export.NewCSV(c.Writer, ev, l)
		return err
	}
	err := s.store.EachAttendee(ctx, ev.ID, ev.Days(), f, store.DefaultExportBatch, func(batch []store.Attendee) error {
		if w == nil {
			if err := start(); err != nil {
				return err
			}
		}
		if err := w.Write(batch); err != nil {
			return err
		}
		c.Writer.Flush()
		return nil
	})
	if err == nil && w == nil { // no registrations match: the header row only
		err = start()
	}
	if err != nil {
		if !c.Writer.Written() {
			s.Error(c, err)
			return
		}
		s.abortDownload(c, err)
	}
}

// exportXLSX builds the workbook (its sheets wait in temporary files) and
// then writes it; errors before the first byte are answered as problems.
func (s *Server) exportXLSX(ctx context.Context, c *gin.Context, ev *domain.Event, f store.RegistrationFilter, l *i18n.Localizer, name string) {
	gcTarget.enter(s.cfg.ExportGCPercent)
	defer gcTarget.leave()
	x, err := export.NewXLSX(ev, l)
	if err != nil {
		s.Error(c, err)
		return
	}
	defer func() {
		if err := x.Close(); err != nil {
			s.log.WarnContext(ctx, "export: temporary files", slog.String("request_id", requestID(c)), slog.Any("error", err))
		}
	}()
	err = s.store.EachAttendee(ctx, ev.ID, ev.Days(), f, store.DefaultExportBatch, x.Write)
	var st *store.Stats
	if err == nil {
		st, err = s.store.EventStats(ctx, ev)
	}
	if err == nil {
		err = x.Finish(st)
	}
	if err != nil {
		s.Error(c, err)
		return
	}
	s.downloadHeaders(c, "xlsx", l.Lang(), name)
	if _, err := x.WriteTo(c.Writer); err != nil {
		s.abortDownload(c, err)
	}
}

// downloadHeaders sends the status and headers of a file download. The
// lists hold personal data: no caching anywhere.
func (s *Server) downloadHeaders(c *gin.Context, format, lang, name string) {
	mediaType, _ := export.ContentType(format) // checked by exportRegistrations
	c.Header("Content-Type", mediaType)
	c.Header("Content-Language", lang)
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()
}

// abortDownload ends a download that failed after its first bytes went
// out. Closing the connection without the final chunk makes the client
// report a failed download, rather than save a list that silently stops
// part way.
func (s *Server) abortDownload(c *gin.Context, err error) {
	s.log.ErrorContext(c.Request.Context(), "export failed after it started", slog.String("request_id", requestID(c)),
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

// exportContext gives an export the server's write timeout rather than the
// shorter request timeout, since a large workbook takes longer than a JSON
// answer, while still stopping as soon as the client goes away.
func (s *Server) exportContext(c *gin.Context) (context.Context, context.CancelFunc) {
	req := c.Request.Context()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(req), max(s.cfg.WriteTimeout, s.cfg.RequestTimeout))
	stop := context.AfterFunc(req, func() {
		// The request's own deadline is the one this context replaces.
		if !errors.Is(req.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	return ctx, func() { stop(); cancel() }
}

// gcTarget lowers the garbage collector's target (GOGC) while workbooks are
// being built and sent, and restores it when the last one is done.
// excelize's stream writer holds a sheet in memory until 16 MB of it spill
// to a temporary file (its buffer grows to about 20 MB), and with Go's
// default target the heap may grow to twice what is live before a
// collection: a 100,000-row workbook raised the server's peak RSS by 58 MB
// at GOGC=100 and by 42 MB at 50, in the same time (docs/PERFORMANCE.md).
//
// GOGC belongs to the process, so one tracker serves every Server in it
// (tests run several).
var gcTarget = &gcTracker{}

type gcTracker struct {
	mu   sync.Mutex
	busy int
	prev int // GOGC before the first enter; -1 is off
	set  bool
}

// enter lowers GOGC to percent unless it is lower already (or off), or
// percent is 0.
func (g *gcTracker) enter(percent int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy == 0 {
		g.prev, g.set = currentGOGC(), false
		if percent > 0 && g.prev >= 0 && percent < g.prev {
			debug.SetGCPercent(percent)
			g.set = true
		}
	}
	g.busy++
}

func (g *gcTracker) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.busy--
	if g.busy == 0 && g.set {
		debug.SetGCPercent(g.prev)
	}
}

// currentGOGC reads GOGC without changing it (-1: off).
func currentGOGC() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 100
	}
	v := s[0].Value.Uint64()
	if v > math.MaxInt32 { // reported for GOGC=off
		return -1
	}
	return int(v)
}
