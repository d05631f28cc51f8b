package main

import (
	"context"
	"log/slog"

	"github.com/attend/attend/store"
)

// eraseExpired is the retention job: it anonymizes the participants of
// events past their retention period and logs, for each event, its slug and
// how many registrations it erased, so an operator can tell where data went.
// The log never names a person.
func eraseExpired(st *store.Store, log *slog.Logger) func(context.Context) error {
	return func(ctx context.Context) error {
		erased, err := st.EraseExpired(ctx)
		for _, e := range erased {
			log.InfoContext(ctx, "retention: personal data erased",
				slog.String("event", e.Slug), slog.Int("registrations", e.Count))
		}
		if err != nil {
			return err
		}
		invitees, err := st.EraseExpiredInvitees(ctx)
		if invitees > 0 {
			log.InfoContext(ctx, "retention: invitations erased", slog.Int("invitees", invitees))
		}
		return err
	}
}
