package httpcore

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
)

// contentSecurityPolicy allows nothing but this site's own stylesheet,
// scripts and forms: the one script (the door page's scanner,
// static/door.js, and the QR reader it loads) comes from this site, no
// inline script runs, and no other site may frame a page or receive a form.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// deniedFeatures are the browser features no page of attend uses. Turning
// them off means that nothing injected into a page, nor a page that frames
// it, could use them either.
var deniedFeatures = []string{
	"accelerometer", "autoplay", "display-capture", "encrypted-media", "fullscreen", "geolocation",
	"gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
	"picture-in-picture", "publickey-credentials-get", "screen-wake-lock", "serial", "usb",
	"xr-spatial-tracking",
}

// permissionsPolicy is the Permissions-Policy of a response: every feature
// above off, and the camera off too except on the door page, where this
// site (not a frame of another) may use it to scan check-in codes.
func permissionsPolicy(camera string) string {
	dirs := make([]string, 0, len(deniedFeatures)+1)
	dirs = append(dirs, "camera="+camera)
	for _, f := range deniedFeatures {
		dirs = append(dirs, f+"=()")
	}
	return strings.Join(dirs, ", ")
}

// isDoorPage reports whether path is /admin/events/{slug}/checkin.
func isDoorPage(path string) bool {
	rest, ok := strings.CutPrefix(path, "/admin/events/")
	if !ok {
		return false
	}
	slug, ok := strings.CutSuffix(rest, "/checkin")
	return ok && slug != "" && !strings.Contains(slug, "/")
}

// Protect wraps the whole router: security headers on every response, and
// Go's cross-origin protection in front of every state-changing route, HTML
// and JSON alike. Browsers say where a request comes from (Sec-Fetch-Site,
// Origin); a cross-site POST is refused with 403. Requests that carry
// neither header, such as scripts using an API token, pass: they are not
// a browser acting on a user's behalf.
func (s *Core) Protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	if s.Config.BaseURL != nil {
		// Behind a proxy that rewrites Host, the public origin still counts
		// as this site.
		if err := cop.AddTrustedOrigin(s.Config.BaseURL.Scheme + "://" + s.Config.BaseURL.Host); err != nil {
			s.Log.Warn("BASE_URL is not usable as a trusted origin", slog.Any("error", err))
		}
	}
	// RFC 8058 one-click unsubscribes are POSTed by mail providers, from
	// their own origin. The token in the path is the whole authority, and
	// all it can do is opt its one participant out, so another site
	// forging the POST gains nothing.
	cop.AddInsecureBypassPattern("POST /unsubscribe/{token}")
	cop.SetDenyHandler(http.HandlerFunc(s.crossOriginDenied))
	guarded := cop.Handler(next)
	hsts := s.SecureCookie
	policy, doorPolicy := permissionsPolicy("()"), permissionsPolicy("(self)")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The request id is made here, before the cross-origin check, so a
		// refused request can be quoted and found in the logs too.
		id := newRequestID()
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		if isDoorPage(r.URL.Path) {
			h.Set("Permissions-Policy", doorPolicy)
		} else {
			h.Set("Permissions-Policy", policy)
		}
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if hsts {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		guarded.ServeHTTP(w, r)
	})
}

// IsAPIPath reports whether path belongs to the JSON API, whose answers
// are problem details rather than pages.
func IsAPIPath(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

// crossOriginDenied answers a refused cross-origin request: problem details
// for the API, a short page for people. It runs before the router, so it
// logs for itself, without the path: personal links carry their token there.
func (s *Core) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	id, _ := r.Context().Value(requestIDKey{}).(string)
	s.Log.WarnContext(r.Context(), "cross-origin request refused", slog.String("request_id", id),
		slog.String("method", r.Method), slog.Bool("api", IsAPIPath(r.URL.Path)))
	if IsAPIPath(r.URL.Path) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusForbidden)
		_ = json.NewEncoder(w).Encode(map[string]any{ // the client may be gone; nothing to do about it
			"type":       s.ProblemType("cross-origin"),
			"title":      "Cross-origin request refused",
			"status":     http.StatusForbidden,
			"detail":     "state-changing requests from another site's pages are not accepted",
			"request_id": id,
		})
		return
	}
	s.RenderMessage(w, r, http.StatusForbidden, s.BrowserLang(w, r), "forbidden", id)
}
