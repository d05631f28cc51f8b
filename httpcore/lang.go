package httpcore

import (
	"net/http"

	"github.com/attend/attend/i18n"
)

// langCookie remembers a language chosen with ?lang=.
const langCookie = "lang"

// PageLang decides the language of a page: ?lang= (remembered in a cookie),
// then the cookie, then fallback, which is the Accept-Language header for
// most pages and a registration's own language for its personal page.
func (s *Core) PageLang(w http.ResponseWriter, r *http.Request, fallback string) string {
	if lang, ok := i18n.Match(r.URL.Query().Get("lang")); ok {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteLaxMode})
		return lang
	}
	return i18n.Negotiate("", cookieLang(r), fallback)
}

// BrowserLang is PageLang with the browser's preference as the fallback.
func (s *Core) BrowserLang(w http.ResponseWriter, r *http.Request) string {
	return s.PageLang(w, r, r.Header.Get("Accept-Language"))
}

// DownloadLang is the language of an attendee list's headers and country
// names: ?lang= when given (ok is false when attend does not speak it),
// else the language the organizer's dashboard is shown in (its cookie,
// then the browser's Accept-Language), else English. A script calling the
// API with neither gets the English it always had.
func DownloadLang(r *http.Request) (lang string, ok bool) {
	q := r.URL.Query()
	if q.Has("lang") {
		return i18n.Match(q.Get("lang"))
	}
	return i18n.Negotiate("", cookieLang(r), r.Header.Get("Accept-Language")), true
}

// cookieLang is the language remembered in the cookie, "" without one.
func cookieLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		return ck.Value
	}
	return ""
}
