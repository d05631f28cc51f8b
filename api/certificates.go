package api

import (
	"context"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// eventBody is the body of POST and PATCH /api/v1/events: the event's own
// fields and, in "certificate", its certificate settings (null in a PATCH
// stops the event offering certificates).
type eventBody struct {
	domain.EventInput
	Certificate domain.Optional[domain.CertificateSettingsInput] `json:"certificate"`
}

// certificateSettings validates the body's certificate settings against
// ev (as it is after the change), naming failing fields
// "certificate.<field>". It returns nil when the body sends none or null.
func (s *API) certificateSettings(b eventBody, ev *domain.Event) (*domain.CertificateSettings, error) {
	if !b.Certificate.Set || b.Certificate.Null {
		return nil, nil
	}
	cs, err := s.Rules.CertificateSettings(b.Certificate.Value, ev)
	if e, ok := domain.AsError(err); ok {
		for i := range e.Fields {
			e.Fields[i].Field = "certificate." + e.Fields[i].Field
		}
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	return &cs, nil
}

// certificateChange is what the body asks of the event's certificate
// settings, for the store to apply with the event.
func certificateChange(b eventBody, cs *domain.CertificateSettings) store.CertificateChange {
	if b.Certificate.Set && b.Certificate.Null {
		return store.CertificateChange{Remove: true}
	}
	return store.CertificateChange{Settings: cs}
}

// certificateOf reads the event's settings for the organizers' view of it;
// nil when the event offers no certificates.
func (s *API) certificateOf(ctx context.Context, ev *domain.Event) (*domain.CertificateSettings, error) {
	cs, ok, err := s.Store.CertificateSettings(ctx, ev.ID)
	if err != nil || !ok {
		return nil, err
	}
	return &cs, nil
}
