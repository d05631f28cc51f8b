package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// A new endpoint's secret reaches the page after the redirect that follows
// its creation (so that a reload does not create another) in a cookie that
// holds it sealed with SECRET_KEY, for one organizer, for a few minutes,
// and is cleared by the page that shows it: the secret is shown once.
const (
	secretFlashCookie = "attend_webhook_secret"
	secretFlashPath   = "/admin/webhooks"
	secretFlashTTL    = 5 * time.Minute
	recentDeliveries  = 5 // listed per endpoint on the page
)

// setSecretFlash keeps secret for organizerID's next view of the page.
func (s *Admin) setSecretFlash(c *gin.Context, organizerID int64, secret string) error {
	if s.Store.Sealer == nil {
		return fmt.Errorf("admin: no sealer configured for the webhook secret")
	}
	expires := s.Store.Now().Add(secretFlashTTL).Unix()
	sealed, err := s.Store.Sealer.Seal(fmt.Sprintf("webhook-secret:%d:%d:%s", organizerID, expires, secret))
	if err != nil {
		return fmt.Errorf("admin: seal webhook secret: %w", err)
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: secretFlashCookie, Value: sealed, Path: secretFlashPath,
		MaxAge: int(secretFlashTTL / time.Second), HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteStrictMode})
	return nil
}

// takeSecretFlash returns the secret kept for organizerID, if any, and
// clears it, whatever it held.
func (s *Admin) takeSecretFlash(c *gin.Context, organizerID int64) string {
	cookie, err := c.Request.Cookie(secretFlashCookie)
	if err != nil || s.Store.Sealer == nil {
		return ""
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: secretFlashCookie, Value: "", Path: secretFlashPath, MaxAge: -1,
		HttpOnly: true, Secure: s.SecureCookie, SameSite: http.SameSiteStrictMode})
	plain, err := s.Store.Sealer.Open(cookie.Value)
	if err != nil {
		return ""
	}
	parts := strings.SplitN(plain, ":", 4)
	if len(parts) != 4 || parts[0] != "webhook-secret" || parts[1] != strconv.FormatInt(organizerID, 10) {
		return ""
	}
	expires, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || s.Store.Now().Unix() > expires {
		return ""
	}
	return parts[3]
}

// deliveryRow is one of an endpoint's recent deliveries as the page shows
// it: what, when, how it stands and what the endpoint last answered.
type deliveryRow struct {
	Type, When, Status, StatusClass, Answer string
}

// deliveryClass is a delivery status's badge.
var deliveryClass = map[string]string{"delivered": "ok", "failed": "error", "queued": "warn", "sending": "warn"}

// recentDeliveryRows lists endpoint id's latest deliveries for v.
func (s *Admin) recentDeliveryRows(c *gin.Context, v httpcore.View, organizerID, id int64) ([]deliveryRow, error) {
	list, err := s.Store.WebhookDeliveries(c.Request.Context(), organizerID, id, "", recentDeliveries)
	if err != nil {
		return nil, err
	}
	out := make([]deliveryRow, 0, len(list))
	for _, d := range list {
		out = append(out, deliveryRow{Type: d.Type, When: d.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"),
			Status: v.T("admin.webhooks.delivery." + d.Status), StatusClass: deliveryClass[d.Status], Answer: lastAnswer(d)})
	}
	return out, nil
}

// lastAnswer is what the endpoint last said: its HTTP status and the start
// of its body, or the error that kept it from answering.
func lastAnswer(d *store.Delivery) string {
	var parts []string
	if d.LastStatusCode != nil {
		parts = append(parts, "HTTP "+strconv.Itoa(*d.LastStatusCode))
	}
	if d.LastResponse != nil && strings.TrimSpace(*d.LastResponse) != "" {
		parts = append(parts, clip(strings.TrimSpace(*d.LastResponse), 120))
	} else if d.LastError != nil {
		parts = append(parts, clip(*d.LastError, 120))
	}
	return strings.Join(parts, " · ")
}

// clip shortens s to at most n characters, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
