package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// A participant's edit reaches them as an email in their language that
// names what changed, answers by their question's label.
func TestTheWorkerSendsTheChangesAParticipantMade(t *testing.T) {
	r := newWorkerRig(t, nil)
	ev, err := r.st.UpdateEvent(r.ctx, 1, r.ev.Slug, func(ev *domain.Event) error {
		return r.rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Some([]domain.QuestionInput{
			{Key: "diet", Type: "single_choice", Label: map[string]string{"en": "Dietary needs", "ru": "Питание"},
				Options: []domain.OptionInput{{Value: "halal", Label: map[string]string{"en": "Halal", "ru": "Халяль"}}}},
		})})
	})
	if err != nil {
		t.Fatal(err)
	}
	r.ev = ev
	r.queue(1)
	w := r.worker(5 * time.Second)
	r.drainUntilSent(w)

	// The link as the participant got it: the token of the one email sent.
	var tokens int
	if err := r.db.Get(&tokens, `SELECT count(*) FROM registration_tokens`); err != nil || tokens != 1 {
		t.Fatalf("%d link tokens (%v), want 1", tokens, err)
	}
	var hash []byte
	if err := r.db.Get(&hash, `SELECT token_hash FROM registration_tokens`); err != nil {
		t.Fatal(err)
	}
	_, changes, err := r.st.EditByToken(r.ctx, hash, store.Edit(func(reg *domain.Registration, ev *domain.Event, now time.Time) (*domain.Registration, []domain.Change, error) {
		return r.rules.EditRegistration(reg, domain.RegistrationEdit{LastName: ptrTo("Юсупова-Каримова"),
			Answers: map[string]any{"diet": "halal"}}, ev, now)
	}))
	if err != nil || len(changes) != 2 {
		t.Fatalf("edit: %v, changes %v", err, changes)
	}
	r.drainUntilSent(w)

	msgs := r.smtp.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the confirmation request and the update", len(msgs))
	}
	msg, err := msgs[1].Parse()
	if err != nil {
		t.Fatal(err)
	}
	text := string(byType(leaves(t, msg.Header, msg.Body), "text/plain")[0].body)
	for _, want := range []string{"Фамилия: Юсупова 1 -> Юсупова-Каримова", "Питание: (не указано) -> Халяль", "/r/"} {
		if !strings.Contains(text, want) {
			t.Errorf("the update email lacks %q:\n%s", want, text)
		}
	}
}

func ptrTo[T any](v T) *T { return &v }
