package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/notify"
)

// calendarMaxAge is how long calendar clients and caches may keep a feed
// before asking again; a changed event shows up within it.
const calendarMaxAge = "public, max-age=300"

// EventsCalendar serves /events.ics: every published event that has not
// ended, as one iCalendar feed people can subscribe to, in ?lang= (en, ru
// or uz; English without it).
func (s *Web) EventsCalendar(c *gin.Context) {
	lang := calendarLang(c, "en")
	evs, err := s.Store.PublishedEvents(c.Request.Context(), true)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	cals := make([]notify.Calendar, len(evs))
	for i, ev := range evs {
		cals[i] = s.calendarOf(ev, lang)
	}
	s.serveCalendar(c, lang, cals)
}

// CalendarOr serves /events/{slug}.ics, one published event's calendar in
// ?lang= (its first language without it), and hands every other
// /events/{slug} to page: the two share a route because a route cannot
// end a parameter with a suffix.
func (s *Web) CalendarOr(page gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		slug, ok := strings.CutSuffix(c.Param("slug"), ".ics")
		if !ok {
			page(c)
			return
		}
		ev, err := s.Store.PublishedEvent(c.Request.Context(), slug)
		if err != nil {
			s.PageError(c, calendarLang(c, "en"), err, "not_found")
			return
		}
		lang := calendarLang(c, ev.Languages[0])
		s.serveCalendar(c, lang, []notify.Calendar{s.calendarOf(ev, lang)})
	}
}

// calendarLang is ?lang= when attend speaks it, else fallback: a feed is
// fetched by calendar programs, which send no useful Accept-Language, and
// its address alone must decide what it holds.
func calendarLang(c *gin.Context, fallback string) string {
	if lang, ok := i18n.Match(c.Query("lang")); ok {
		return lang
	}
	return fallback
}

// calendarOf describes ev in lang as calendar entries, one per day. The
// UIDs do not depend on the language, so a calendar that subscribed in one
// language and then another keeps one entry per day.
func (s *Web) calendarOf(ev *domain.Event, lang string) notify.Calendar {
	info := s.EventInfo(ev, s.I18n.Localizer(lang))
	page := s.Config.BaseURL.String() + "/events/" + url.PathEscape(ev.Slug) + "?lang=" + lang
	var where []string
	for _, p := range []string{info.Venue, info.Place} {
		if p != "" {
			where = append(where, p)
		}
	}
	days := ev.Days()
	cal := notify.Calendar{
		UIDPrefix:   "event-" + ev.Slug,
		Host:        s.Config.BaseURL.Hostname(),
		Summary:     info.Title,
		Location:    strings.Join(where, ", "),
		Description: strings.TrimSpace(strings.Join(info.Description, "\n\n") + "\n\n" + page),
		URL:         page,
		Timezone:    ev.Timezone,
		DayStartsAt: ev.DayStartsAt,
		DayEndsAt:   ev.DayEndsAt,
		Stamp:       ev.UpdatedAt,
	}
	for _, d := range days {
		cal.Days = append(cal.Days, d.Time())
	}
	return cal
}

// serveCalendar writes the feed as text/calendar, with an ETag so that a
// calendar program polling an unchanged feed gets 304.
func (s *Web) serveCalendar(c *gin.Context, lang string, cals []notify.Calendar) {
	body, err := notify.Feed(cals)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:12]) + `"`
	c.Header("Cache-Control", calendarMaxAge)
	c.Header("ETag", etag)
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", body)
}
