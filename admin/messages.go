package admin

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// messagesPage is an event's messages to participants and the form that
// writes one, with the count and preview of the message as typed.
type messagesPage struct {
	Admin    adminBar
	Notice   *notice
	Event    httpcore.EventInfo
	Back     string
	Action   string
	Messages []messageRow
	Form     *form
	Compose  messageForm
	Preview  *messagePreview
}

// messageRow is one message in the list.
type messageRow struct {
	Href, Subject, State, StateClass, Created string
	store.MessageCounts
}

// messagePreview is what sending the typed message would do.
type messagePreview struct {
	Recipients       int
	HeldBack         int
	Lang             string
	Subject, Text    string
	HasSample, Ready bool
}

// messageStateBadge is a message's state as organizers read it.
func messageStateBadge(v httpcore.View, st domain.MessageState) (label, class string) {
	class = map[domain.MessageState]string{domain.MessageSent: "ok", domain.MessageScheduled: "warn", domain.MessageSending: "warn"}[st]
	return v.T("admin.messages.state." + string(st)), class
}

// Messages lists the event's messages and offers the compose form.
func (s *Admin) Messages(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	s.renderMessages(c, http.StatusOK, ev, lang, url.Values{"statuses": {string(domain.StatusConfirmed)}}, nil, nil)
}

func (s *Admin) renderMessages(c *gin.Context, status int, ev *domain.Event, lang string, values url.Values,
	fields []domain.FieldError, preview *messagePreview) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.messages.title")
	self := eventAdminPath(ev.Slug)
	p := messagesPage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, v.L), Back: self,
		Action: self + "/messages", Preview: preview}
	list, err := s.Store.Messages(c.Request.Context(), ev.ID)
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	for _, m := range list {
		label, class := messageStateBadge(v, m.State)
		d, clock, _ := httpcore.LocalTime(lang, ev, m.CreatedAt)
		p.Messages = append(p.Messages, messageRow{Href: self + "/messages/" + strconv.FormatInt(m.ID, 10),
			Subject: m.Texts.In(lang, ev.Languages[0]).Subject, State: label, StateClass: class, Created: d + " " + clock,
			MessageCounts: m.MessageCounts})
	}
	order := []string{}
	for _, lang := range ev.Languages {
		order = append(order, textField(lang, "subject"), textField(lang, "body"))
	}
	p.Form = newForm(v.L, values, fields, append(order, "statuses", "delegation", "role", "attended", "not_attended", "answer", "send_at"))
	p.Compose = newMessageForm(ev, v.L, values, p.Form)
	v.Error = len(fields) > 0
	v.Page = p
	s.pages.Render(c, status, "admin_messages", v)
}

// ComposeMessage takes the compose form: "preview" (also what an unknown
// action means) shows the count and the message as its first recipient
// would get it; "send", "schedule" and "draft" store it. A refused form comes back with 422 and what was typed.
func (s *Admin) ComposeMessage(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	form := c.Request.PostForm
	action := form.Get("action")
	switch action {
	case "send", "schedule", "draft":
	default:
		action = "preview" // the form's first button, and what stores nothing
	}
	in, fields := messageFromForm(form, ev)
	if action != "schedule" {
		in.SendAt = nil
	} else if in.SendAt == nil && len(fields) == 0 {
		fields = append(fields, domain.NewFieldError("send_at", "required", ""))
	}
	in.Send = action == "send"
	_, err := domain.CheckMessage(&in, ev, s.Rules.Delegations(), s.Store.Now(), s.Config.MessageScheduleDaysAfterEnd)
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		fields = append(fields, formFields(e.Fields, ev.Languages[0])...)
	} else if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	if len(fields) > 0 {
		s.renderMessages(c, http.StatusUnprocessableEntity, ev, lang, form, fields, nil)
		return
	}
	ctx := c.Request.Context()
	if action == "preview" {
		preview, err := s.previewMessage(c, ev, in)
		if err != nil {
			s.PageError(c, lang, err, "not_found")
			return
		}
		s.renderMessages(c, http.StatusOK, ev, lang, form, nil, preview)
		return
	}
	m, _, err := s.Store.CreateMessage(ctx, httpcore.Organizer(c).ID, ev, in)
	if err != nil {
		s.messageError(c, ev, 0, lang, err)
		return
	}
	done := map[bool]string{true: "message_sent", false: "message_saved"}[in.Send]
	c.Redirect(http.StatusSeeOther, s.messagePath(ev, m.ID)+"?done="+done)
}

// previewMessage counts the recipients of in and renders it for the first.
func (s *Admin) previewMessage(c *gin.Context, ev *domain.Event, in domain.MessageInput) (*messagePreview, error) {
	p, err := s.Store.PreviewMessage(c.Request.Context(), ev, 0, in.Filter)
	if err != nil {
		return nil, err
	}
	out := &messagePreview{Recipients: p.Recipients, HeldBack: p.HeldBack, Ready: true}
	if p.Sample != nil {
		r, err := s.renderer.MessagePreview(ev, &domain.Message{Texts: in.Texts, Filter: in.Filter}, p.Sample, s.Config.BaseURL.String())
		if err != nil {
			return nil, err
		}
		out.HasSample, out.Lang, out.Subject, out.Text = true, r.Lang, r.Subject, r.Text
	}
	return out, nil
}

func (s *Admin) messagePath(ev *domain.Event, id int64) string {
	return eventAdminPath(ev.Slug) + "/messages/" + strconv.FormatInt(id, 10)
}

// messageError answers a refused action on message id (0: none yet): a
// conflict goes back to the page with a notice, anything else is a page.
func (s *Admin) messageError(c *gin.Context, ev *domain.Event, id int64, lang string, err error) {
	var e *domain.Error
	if errors.As(err, &e) && e.Code == domain.EConflict && id != 0 {
		c.Redirect(http.StatusSeeOther, s.messagePath(ev, id)+"?error=message_state")
		return
	}
	s.PageError(c, lang, err, "not_found")
}
