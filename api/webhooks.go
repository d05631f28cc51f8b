package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// webhookCreated is the answer to POST /api/v1/webhooks: the endpoint and,
// this once, its signing secret.
type webhookCreated struct {
	*domain.Webhook
	Secret string `json:"secret"`
}

// CreateWebhook registers an endpoint for the caller's events (201). With
// "event", only for that event, which the caller must be allowed to read
// the registrations of: door staff may not (403), and an event the caller
// is not on is a 422 naming the field.
func (s *API) CreateWebhook(c *gin.Context) {
	var in domain.WebhookInput
	if !s.DecodeJSON(c, &in) {
		return
	}
	ch, err := in.Validate(true, s.Config.WebhookAllowPrivate)
	if err != nil {
		s.Error(c, err)
		return
	}
	org := httpcore.Organizer(c)
	var eventID *int64
	if ch.Event != nil {
		ev, role, err := s.Store.Membership(c.Request.Context(), org.ID, *ch.Event)
		if domain.ErrorCode(err) == domain.ENotFound {
			s.Error(c, domain.ValidationError([]domain.FieldError{{Field: "event", Code: "unknown",
				Message: "event must be the slug of an event whose team you are on."}}))
			return
		}
		if err != nil {
			s.Error(c, err)
			return
		}
		if !role.Can(domain.PermReadRegistrations) {
			s.Error(c, domain.Forbidden(domain.PermReadRegistrations))
			return
		}
		eventID = &ev.ID
	}
	w, secret, err := s.Store.CreateWebhook(c.Request.Context(), org.ID, eventID, ch, s.Config.WebhookMaxEndpoints)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusCreated, webhookCreated{Webhook: w, Secret: secret})
}

// ListWebhooks shows the caller's endpoints, without their secrets.
func (s *API) ListWebhooks(c *gin.Context) {
	ws, err := s.Store.Webhooks(c.Request.Context(), httpcore.Organizer(c).ID)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": ws})
}

// GetWebhook shows one of the caller's endpoints.
func (s *API) GetWebhook(c *gin.Context) {
	id, ok := s.webhookID(c)
	if !ok {
		return
	}
	w, err := s.Store.Webhook(c.Request.Context(), httpcore.Organizer(c).ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// UpdateWebhook changes an endpoint: its URL, types, whether it gets
// personal data, and "active", which disables it or enables it again
// (starting its count of failures afresh).
func (s *API) UpdateWebhook(c *gin.Context) {
	id, ok := s.webhookID(c)
	if !ok {
		return
	}
	var in domain.WebhookInput
	if !s.DecodeJSON(c, &in) {
		return
	}
	ch, err := in.Validate(false, s.Config.WebhookAllowPrivate)
	if err != nil {
		s.Error(c, err)
		return
	}
	w, err := s.Store.UpdateWebhook(c.Request.Context(), httpcore.Organizer(c).ID, id, ch)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

// DeleteWebhook removes an endpoint and its deliveries (204).
func (s *API) DeleteWebhook(c *gin.Context) {
	id, ok := s.webhookID(c)
	if !ok {
		return
	}
	if err := s.Store.DeleteWebhook(c.Request.Context(), httpcore.Organizer(c).ID, id); err != nil {
		s.Error(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// RotateWebhookSecret gives an endpoint a new signing secret, shown once.
func (s *API) RotateWebhookSecret(c *gin.Context) {
	id, ok := s.webhookID(c)
	if !ok {
		return
	}
	secret, err := s.Store.RotateWebhookSecret(c.Request.Context(), httpcore.Organizer(c).ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"secret": secret})
}

// ListDeliveries shows an endpoint's deliveries, newest first, with the
// last answer of each, e.g. ?status=failed.
func (s *API) ListDeliveries(c *gin.Context) {
	id, ok := s.webhookID(c)
	if !ok {
		return
	}
	var fields []domain.FieldError
	status := c.Query("status")
	switch status {
	case "", domain.DeliveryQueued, domain.DeliverySending, domain.DeliveryDelivered, domain.DeliveryFailed:
	default:
		fields = append(fields, domain.NewFieldError("status", "oneof", "queued sending delivered failed"))
	}
	limit := 100
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			fields = append(fields, domain.NewFieldError("limit", "range", "1-1000"))
		}
		limit = n
	}
	if err := domain.ValidationError(fields); err != nil {
		s.Error(c, err)
		return
	}
	ds, err := s.Store.WebhookDeliveries(c.Request.Context(), httpcore.Organizer(c).ID, id, status, limit)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": ds})
}

// webhookID reads the endpoint's id from the path; a malformed one is
// answered 422 naming it.
func (s *API) webhookID(c *gin.Context) (int64, bool) {
	pp := params(c)
	id := pp.positive("id")
	return id, pp.ok(s)
}
