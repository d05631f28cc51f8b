package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// messagePage is one message: what it says, whom it went to and how each
// email stands, and what may be done with it.
type messagePage struct {
	Admin                     adminBar
	Notice                    *notice
	Event                     httpcore.EventInfo
	Back                      string
	Subject, Body             string
	State, StateClass         string
	SendAt                    string
	Counts                    store.MessageCounts
	Recipients                []recipientRow
	SendAction, TestAction    string
	RetryAction, CancelAction string
}

// recipientRow is one person a message was written to.
type recipientRow struct {
	Name, Email, Language, Status, StatusClass, Error string
}

// emailStatusClass is the badge class of an email's status.
var emailStatusClass = map[domain.EmailStatus]string{domain.EmailSent: "ok", domain.EmailFailed: "error", domain.EmailQueued: "warn", domain.EmailSending: "warn", store.RecipientSkipped: "muted"}

// messageFromPath loads the message the path names.
func (s *Admin) messageFromPath(c *gin.Context, lang string) (*domain.Event, *store.MessageSummary, bool) {
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return nil, nil, false
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.PageError(c, lang, domain.Errorf(domain.ENotFound, "no such message"), "not_found")
		return nil, nil, false
	}
	m, err := s.Store.Message(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return nil, nil, false
	}
	return ev, m, true
}

// ShowMessage shows one message with its recipients.
func (s *Admin) ShowMessage(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, m, ok := s.messageFromPath(c, lang)
	if !ok {
		return
	}
	recipients, err := s.Store.MessageRecipients(c.Request.Context(), ev.ID, m.ID)
	if err == nil {
		m.HeldBack, err = s.Store.HeldBack(c.Request.Context(), ev, m.Message)
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	v := s.NewView(c.Request, lang, "")
	t := m.Texts.In(lang, ev.Languages[0])
	v.Title = t.Subject
	self := s.messagePath(ev, m.ID)
	p := messagePage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, v.L),
		Back: eventAdminPath(ev.Slug) + "/messages", Subject: t.Subject, Body: t.Body, Counts: m.MessageCounts,
		TestAction: self + "/test"}
	p.State, p.StateClass = messageStateBadge(v, m.State)
	if m.SendAt != nil {
		d, clock, zone := httpcore.LocalTime(lang, ev, *m.SendAt)
		p.SendAt = d + " " + clock + " (" + zone + ")"
	}
	if m.State != domain.MessageCancelled {
		p.SendAction = self + "/send"
	}
	if m.State == domain.MessageDraft || m.State == domain.MessageScheduled {
		p.CancelAction = self + "/cancel"
	}
	if m.Failed > 0 {
		p.RetryAction = self + "/retry-failed"
	}
	for _, r := range recipients {
		row := recipientRow{Name: r.Name, Email: r.Email, Language: v.L.LanguageName(r.Language),
			Status: v.T("admin.messages.email." + string(r.Status)), StatusClass: emailStatusClass[r.Status]}
		if r.LastError != nil {
			row.Error = *r.LastError
		}
		p.Recipients = append(p.Recipients, row)
	}
	v.Page = p
	s.pages.Render(c, http.StatusOK, "admin_message", v)
}

// messageAction runs act on the message in the path and goes back to its
// page, saying done.
func (s *Admin) messageAction(done string, act func(ctx context.Context, c *gin.Context, ev *domain.Event, id int64) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := s.BrowserLang(c.Writer, c.Request)
		ev, m, ok := s.messageFromPath(c, lang)
		if !ok || !s.ParseForm(c, lang) {
			return
		}
		if err := act(c.Request.Context(), c, ev, m.ID); err != nil {
			s.messageError(c, ev, m.ID, lang, err)
			return
		}
		c.Redirect(http.StatusSeeOther, s.messagePath(ev, m.ID)+"?done="+done)
	}
}

// SendMessage sends the message now (again: only to new matches).
func (s *Admin) SendMessage(c *gin.Context) {
	s.messageAction("message_sent", func(ctx context.Context, c *gin.Context, ev *domain.Event, id int64) error {
		_, err := s.Store.SendMessage(ctx, httpcore.Organizer(c).ID, ev, id)
		return err
	})(c)
}

// TestMessage sends the message to the signed-in organizer.
func (s *Admin) TestMessage(c *gin.Context) {
	s.messageAction("message_test", func(ctx context.Context, c *gin.Context, ev *domain.Event, id int64) error {
		o := httpcore.Organizer(c)
		return s.Store.QueueTestMessage(ctx, ev, id, o.Email, o.Name, ev.Languages[0])
	})(c)
}

// RetryFailedMessage queues the message's failed emails again.
func (s *Admin) RetryFailedMessage(c *gin.Context) {
	s.messageAction("retried", func(ctx context.Context, _ *gin.Context, ev *domain.Event, id int64) error {
		_, err := s.Store.RetryFailedMessage(ctx, ev.ID, id)
		return err
	})(c)
}

// CancelMessage stops a draft or scheduled message.
func (s *Admin) CancelMessage(c *gin.Context) {
	s.messageAction("message_cancelled", func(ctx context.Context, _ *gin.Context, ev *domain.Event, id int64) error {
		return s.Store.CancelMessage(ctx, ev.ID, id)
	})(c)
}
