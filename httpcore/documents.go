package httpcore

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/documents"
	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// The papers of issue 19, served alike to the JSON API (organizer token)
// and the dashboard (session): the handlers find the event the caller
// manages and call one of these. Every paper holds personal data, so none
// is cached anywhere.

const (
	mediaPDF  = "application/pdf"
	mediaZIP  = "application/zip"
	mediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// SignInSheet sends the sign-in sheet of ?day= (default: today when the
// event runs, else its first day) in ?lang=, ordered by ?order=
// (delegation, the default, or surname).
func (s *Core) SignInSheet(c *gin.Context, ev *domain.Event) {
	lang, langOK := DownloadLang(c.Request)
	var fields []domain.FieldError
	if !langOK {
		fields = append(fields, langField())
	}
	day := domain.DateOf(s.Now().In(ev.Location()))
	if !ev.HasDay(day) {
		day = ev.StartsOn
	}
	if v, ok := c.GetQuery("day"); ok {
		d, err := domain.ParseDate(strings.TrimSpace(v))
		switch {
		case err != nil:
			fields = append(fields, domain.FieldError{Field: "day", Code: "date", Message: "Day must be a date (YYYY-MM-DD)."})
		case !ev.HasDay(d):
			fields = append(fields, domain.FieldError{Field: "day", Code: "event_day",
				Message: fmt.Sprintf("Day must be one of the event's days, %s to %s.", ev.StartsOn, ev.EndsOn)})
		default:
			day = d
		}
	}
	order := store.ByDelegation
	switch strings.TrimSpace(c.DefaultQuery("order", "delegation")) {
	case "delegation":
	case "surname":
		order = store.BySurname
	default:
		fields = append(fields, domain.NewFieldError("order", "oneof", "delegation surname"))
	}
	if err := domain.ValidationError(fields); err != nil {
		s.Error(c, err)
		return
	}
	ctx, cancel := s.downloadContext(c)
	defer cancel()
	people := s.Store.Participants(ctx, ev, store.ParticipantFilter{Day: day, Order: order,
		DelegationRank: documents.DelegationRank(s.I18n, lang)})
	name := fmt.Sprintf("%s-sign-in-%s-%s.pdf", ev.Slug, day, lang)
	s.sendPaper(c, mediaPDF, name, lang, func(w io.Writer) error {
		return documents.SignInSheet(w, ev, day, s.I18n.Localizer(lang), people)
	})
}

// Badges sends the badges of everyone confirmed, or of the registrations
// ?id= names (repeated), in ?lang=.
func (s *Core) Badges(c *gin.Context, ev *domain.Event) {
	lang, langOK := DownloadLang(c.Request)
	var fields []domain.FieldError
	if !langOK {
		fields = append(fields, langField())
	}
	ids := c.QueryArray("id")
	for i, id := range ids {
		ids[i] = strings.TrimSpace(id)
		if !domain.ValidUUID(ids[i]) {
			fields = append(fields, domain.FieldError{Field: "id", Code: "uuid",
				Message: fmt.Sprintf("Registration id %q must be a UUID.", truncateRunes(id, 40))})
		}
	}
	if err := domain.ValidationError(fields); err != nil {
		s.Error(c, err)
		return
	}
	ctx, cancel := s.downloadContext(c)
	defer cancel()
	people := s.Store.Participants(ctx, ev, store.ParticipantFilter{IDs: ids, Order: store.ByDelegation,
		DelegationRank: documents.DelegationRank(s.I18n, lang)})
	s.sendPaper(c, mediaPDF, fmt.Sprintf("%s-badges-%s.pdf", ev.Slug, lang), lang, func(w io.Writer) error {
		_, err := documents.Badges(w, ev, s.I18n.Localizer(lang), people)
		return err
	})
}

// errNoCertificates answers for an event whose organizers have not set up
// certificates: there are none to give.
var errNoCertificates = domain.Errorf(domain.ENotFound, "this event offers no certificates: set its certificate settings first")

// offeredCertificates reads ev's certificate settings, answering the
// request itself (404) when the event offers no certificates.
func (s *Core) offeredCertificates(c *gin.Context, ev *domain.Event) (domain.CertificateSettings, bool) {
	settings, ok, err := s.Store.CertificateSettings(c.Request.Context(), ev.ID)
	switch {
	case err != nil:
		s.Error(c, err)
	case !ok:
		s.Error(c, errNoCertificates)
	}
	return settings, err == nil && ok
}

// Certificates sends the certificates of everyone who meets the event's
// rule as one ZIP, each in its holder's language. The archive is drawn as
// it is sent, so it gets CERTIFICATES_TIMEOUT instead of the write
// timeout; an error part way cuts the connection rather than end an
// archive that would look complete.
func (s *Core) Certificates(c *gin.Context, ev *domain.Event) {
	settings, ok := s.offeredCertificates(c, ev)
	if !ok {
		return
	}
	// The connection's deadline is the wall clock's, not the service's
	// clock (which tests and demos may set to another day).
	deadline := time.Now().Add(s.Config.CertificatesTimeout)
	if err := http.NewResponseController(c.Writer).SetWriteDeadline(deadline); err != nil {
		// Without a longer deadline a large archive would be cut off by
		// HTTP_WRITE_TIMEOUT: say so in the log, and try all the same.
		s.Log.WarnContext(c.Request.Context(), "certificates: cannot extend the write deadline", slog.Any("error", err))
	}
	ctx, cancel := s.paperContext(c, s.Config.CertificatesTimeout)
	defer cancel()
	people := s.Store.Participants(ctx, ev, store.ParticipantFilter{Attended: true, Order: store.BySurname})
	s.sendPaper(c, mediaZIP, ev.Slug+"-certificates.zip", "", func(w io.Writer) error {
		_, err := documents.Certificates(w, ev, settings, s.I18n, people)
		return err
	})
}

// Certificate sends one person's certificate (the registration id in the
// path, as "<id>.pdf"), in their language; 404 with the reason for someone
// who does not meet the rule.
func (s *Core) Certificate(c *gin.Context, ev *domain.Event, file string) {
	id, ok := strings.CutSuffix(file, ".pdf")
	if !ok || !domain.ValidUUID(id) {
		s.Error(c, domain.ValidationError([]domain.FieldError{{Field: "id", Code: "uuid",
			Message: "The certificate's name must be a registration id (a UUID) followed by .pdf."}}))
		return
	}
	s.PersonCertificate(c, ev, id)
}

// PersonCertificate sends the certificate of registration id of ev (for
// the organizer, and for the participant from their personal link).
func (s *Core) PersonCertificate(c *gin.Context, ev *domain.Event, id string) {
	settings, ok := s.offeredCertificates(c, ev)
	if !ok {
		return
	}
	p, err := s.participant(c.Request.Context(), ev, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	s.sendCertificate(c, ev, settings, p)
}

func (s *Core) sendCertificate(c *gin.Context, ev *domain.Event, settings domain.CertificateSettings, p store.Participant) {
	name := ev.Slug + "-" + documents.CertificateFileName(p)
	s.sendPaper(c, mediaPDF, name, p.Language, func(w io.Writer) error {
		return documents.Certificate(w, ev, settings, s.I18n, p)
	})
}

// EarnedCertificate is what a participant's certificate needs, when they
// have earned one: the event has ended (its last day is over), it offers
// certificates, and registration id meets its rule. ok is false otherwise,
// which is no error.
func (s *Core) EarnedCertificate(ctx context.Context, ev *domain.Event, id string) (domain.CertificateSettings, store.Participant, bool, error) {
	if s.Now().Before(ev.EndsAt()) {
		return domain.CertificateSettings{}, store.Participant{}, false, nil
	}
	settings, ok, err := s.Store.CertificateSettings(ctx, ev.ID)
	if err != nil || !ok {
		return domain.CertificateSettings{}, store.Participant{}, false, err
	}
	p, err := s.participant(ctx, ev, id)
	if domain.ErrorCode(err) == domain.ENotFound {
		return domain.CertificateSettings{}, store.Participant{}, false, nil
	}
	if err != nil {
		return domain.CertificateSettings{}, store.Participant{}, false, err
	}
	return settings, p, settings.Rule.Met(ev, p.Attended), nil
}

// ParticipantCertificate sends the certificate a participant has earned
// (EarnedCertificate); for anyone else, the page saying why there is none,
// in lang.
func (s *Core) ParticipantCertificate(c *gin.Context, ev *domain.Event, id, lang string) {
	settings, p, ok, err := s.EarnedCertificate(c.Request.Context(), ev, id)
	switch {
	case err != nil:
		s.PageError(c, lang, err, "not_found")
	case !ok:
		s.Message(c, http.StatusNotFound, lang, "no_certificate")
	default:
		s.sendCertificate(c, ev, settings, p)
	}
}

// participant reads registration id of ev as the papers show it, with the
// days attended; ENotFound when there is no such person.
func (s *Core) participant(ctx context.Context, ev *domain.Event, id string) (store.Participant, error) {
	next, stop := iter.Pull2(s.Store.Participants(ctx, ev,
		store.ParticipantFilter{IDs: []string{id}, Attended: true}))
	defer stop()
	p, err, ok := next()
	switch {
	case err != nil:
		return store.Participant{}, err
	case !ok:
		// Attended lists only those checked in at least once: anyone else
		// registered has attended nothing, which earns no certificate.
		return store.Participant{}, documents.ErrNoCertificate
	}
	return p, nil
}

// AttendanceReport sends the attendance report as PDF or, with xlsx set,
// as an Excel workbook, in ?lang=.
func (s *Core) AttendanceReport(c *gin.Context, ev *domain.Event, xlsx bool) {
	lang, ok := DownloadLang(c.Request)
	if !ok {
		s.Error(c, domain.ValidationError([]domain.FieldError{langField()}))
		return
	}
	ctx := c.Request.Context()
	stats, err := s.Store.EventStats(ctx, ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	reg, err := s.Store.EventRegisteredByDay(ctx, ev)
	if err != nil {
		s.Error(c, err)
		return
	}
	f := documents.Figures{Stats: stats, Registered: reg, Generated: s.Now().In(ev.Location())}
	l := s.I18n.Localizer(lang)
	if xlsx {
		s.sendPaper(c, mediaXLSX, fmt.Sprintf("%s-attendance-%s.xlsx", ev.Slug, lang), lang, func(w io.Writer) error {
			return documents.AttendanceReportXLSX(w, ev, f, l)
		})
		return
	}
	s.sendPaper(c, mediaPDF, fmt.Sprintf("%s-attendance-%s.pdf", ev.Slug, lang), lang, func(w io.Writer) error {
		return documents.AttendanceReport(w, ev, f, l)
	})
}

func langField() domain.FieldError {
	return domain.NewFieldError("lang", "oneof", strings.Join(i18n.Supported, " "))
}

// sendPaper answers with the file draw writes: headers go out with its
// first byte, so an error before it is a problem answer, and one after it
// cuts the connection (abortDownload).
func (s *Core) sendPaper(c *gin.Context, mediaType, name, lang string, draw func(io.Writer) error) {
	out := &download{c: c, mediaType: mediaType, name: name, lang: lang}
	err := draw(out)
	switch {
	case err == nil:
		if !out.started { // an empty file (never for these papers): still a download
			out.headers()
		}
	case !out.started:
		s.Error(c, err)
	default:
		s.abortDownload(c, err)
	}
}

// paperContext bounds the drawing of a paper by d rather than the request
// timeout, still stopping as soon as the client goes away.
func (s *Core) paperContext(c *gin.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return s.boundedContext(c, d)
}

// truncateRunes shortens s to n runes for an error message.
func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
