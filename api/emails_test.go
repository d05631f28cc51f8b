package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/internal/smtptest"
)

// emailView is an outbox row as GET /api/v1/events/:slug/emails shows it.
type emailView struct {
	ID        int64              `json:"id"`
	Kind      domain.EmailKind   `json:"kind"`
	Recipient string             `json:"recipient"`
	MessageID string             `json:"message_id"`
	Status    domain.EmailStatus `json:"status"`
	Attempts  int                `json:"attempts"`
	LastError *string            `json:"last_error"`
}

func (m *mailAPI) emails(slug, query, token string, status int) []emailView {
	m.T.Helper()
	rec := m.Get("/api/v1/events/"+slug+"/emails"+query, token)
	if strings.Contains(rec.Body.String(), "sealed_token") {
		m.T.Errorf("the email list shows sealed link tokens: %s", rec.Body)
	}
	if status != http.StatusOK {
		servertest.Problem(m.T, rec, status)
		return nil
	}
	return servertest.Decode[struct {
		Emails []emailView `json:"emails"`
	}](m.T, rec, http.StatusOK).Emails
}

func TestAPermanentlyRejectedEmailIsShownAndCanBeRetried(t *testing.T) {
	m := newMailAPI(t)
	m.Event(m.Token, "egov", nil)
	_, otherToken := m.Organizer("someone-else@example.org")
	if rec := m.Register("egov", servertest.Participant("no-such-user@example.uz", nil)); rec.Code != http.StatusAccepted {
		t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}

	m.smtp.SetMode(smtptest.ModePermFail)
	for range 3 {
		if _, _, err := m.worker.RunBatch(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	var failed emailView
	t.Run("a 550 reply fails the email at once, with the reason", func(t *testing.T) {
		list := m.emails("egov", "?status=failed", m.Token, http.StatusOK)
		if len(list) != 1 {
			t.Fatalf("%d failed emails listed, want 1", len(list))
		}
		failed = list[0]
		if failed.Kind != domain.EmailConfirmRequest || failed.Recipient != "no-such-user@example.uz" ||
			failed.Attempts != 1 || failed.LastError == nil || !strings.Contains(*failed.LastError, "550") {
			t.Errorf("failed email %+v (last_error %v), want the confirm request after 1 attempt with the 550 reply",
				failed, lastError(failed))
		}
		if got := m.emails("egov", "?status=queued", m.Token, http.StatusOK); len(got) != 0 {
			t.Errorf("%d emails still queued, want 0", len(got))
		}
	})
	if failed.ID == 0 {
		t.FailNow()
	}

	retry := func(id int64, token string) *httptest.ResponseRecorder {
		return m.Post(fmt.Sprintf("/api/v1/events/egov/emails/%d/retry", id), token, "")
	}
	t.Run("another organizer neither sees nor retries it", func(t *testing.T) {
		m.emails("egov", "?status=failed", otherToken, http.StatusNotFound)
		servertest.Problem(t, retry(failed.ID, otherToken), http.StatusNotFound)
	})
	t.Run("retrying an unknown email is not found", func(t *testing.T) {
		servertest.Problem(t, retry(failed.ID+1000, m.Token), http.StatusNotFound)
	})
	t.Run("a malformed email id is 422 naming the id", func(t *testing.T) {
		for _, bad := range []string{"abc", "0", "-3"} {
			p := servertest.Problem(t, m.Post("/api/v1/events/egov/emails/"+bad+"/retry", m.Token, ""), http.StatusUnprocessableEntity)
			if got := servertest.FieldCodes(p); !mapsEqual(got, map[string]string{"id": "range"}) {
				t.Errorf("%s: fields = %v, want id/range", bad, got)
			}
		}
	})
	t.Run("a listing with an unknown status is refused", func(t *testing.T) {
		m.emails("egov", "?status=lost", m.Token, http.StatusUnprocessableEntity)
	})

	m.smtp.SetMode(smtptest.ModeAccept)
	t.Run("a retried email is delivered, with its original Message-ID", func(t *testing.T) {
		v := servertest.Decode[emailView](t, retry(failed.ID, m.Token), http.StatusOK)
		if v.Status != domain.EmailQueued || v.Attempts != 0 {
			t.Errorf("retry answered %+v, want queued with 0 attempts", v)
		}
		msgs := m.deliver(1)
		if got := readMail(t, msgs[0]).messageID; got != "<"+failed.MessageID+">" {
			t.Errorf("Message-ID %s, want %s", got, failed.MessageID)
		}
		if sent := m.emails("egov", "?status=sent", m.Token, http.StatusOK); len(sent) != 1 || sent[0].ID != failed.ID {
			t.Errorf("sent emails %+v, want the retried one", sent)
		}
	})
	t.Run("retrying an email that has not failed is a conflict", func(t *testing.T) {
		servertest.Problem(t, retry(failed.ID, m.Token), http.StatusConflict)
	})
}

func lastError(e emailView) string {
	if e.LastError == nil {
		return "<nil>"
	}
	return *e.LastError
}

func TestRegisteringTheSameAddressRepeatedlyIsRateLimited(t *testing.T) {
	m := newMailAPI(t)
	m.Event(m.Token, "egov", nil)
	var first string
	for i := range 10 {
		rec := m.Register("egov", servertest.Participant("dilnoza.yusupova@example.uz", nil))
		if rec.Code != http.StatusAccepted {
			t.Fatalf("attempt %d: %d %s", i+1, rec.Code, rec.Body)
		}
		if i == 0 {
			first = rec.Body.String()
		} else if rec.Body.String() != first {
			t.Errorf("attempt %d answered %s, want the same as the first: %s", i+1, rec.Body, first)
		}
	}
	if _, err := m.worker.Drain(context.Background(), context.Background()); err != nil {
		t.Fatal(err)
	}
	kinds := map[domain.EmailKind]int{}
	msgs := m.smtp.Messages()
	for _, msg := range msgs {
		kinds[m.outboxKind(readMail(t, msg))]++
	}
	if kinds[domain.EmailConfirmRequest] != 1 {
		t.Errorf("%d confirmation requests, want 1", kinds[domain.EmailConfirmRequest])
	}
	if len(msgs) > domain.MaxEmailsPerAddressHour || len(msgs)-kinds[domain.EmailConfirmRequest] != kinds[domain.EmailAlreadyRegistered] {
		t.Errorf("emails received %v, want at most %d in all, the rest already_registered", kinds, domain.MaxEmailsPerAddressHour)
	}
}
