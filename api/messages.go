package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/store"
)

// messageView is a message as the API shows it: with its counts, and on
// its own page with its recipients.
type messageView struct {
	*domain.Message
	store.MessageCounts
	RecipientList []*store.MessageRecipient `json:"recipient_list,omitempty"`
	// Added is how many recipients the request queued (sends only).
	Added *int `json:"added,omitempty"`
}

// previewView is what a message would do: how many it goes to, and how one
// of them would read it.
type previewView struct {
	Recipients int              `json:"recipients"`
	HeldBack   int              `json:"held_back"`
	Preview    *renderedMessage `json:"preview"`
}

type renderedMessage struct {
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// checkMessage decodes and checks a message's body for ev.
func (s *API) checkMessage(c *gin.Context, ev *domain.Event) (domain.MessageInput, bool) {
	var in domain.MessageInput
	if !s.DecodeJSON(c, &in) {
		return in, false
	}
	if _, err := domain.CheckMessage(&in, ev, s.Rules.Delegations(), s.Store.Now(), s.Config.MessageScheduleDaysAfterEnd); err != nil {
		s.Error(c, err)
		return in, false
	}
	return in, true
}

// CreateMessage writes a message to an event's participants: a draft, a
// scheduled message (send_at), or one sent at once (send).
func (s *API) CreateMessage(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	in, ok := s.checkMessage(c, ev)
	if !ok {
		return
	}
	m, added, err := s.Store.CreateMessage(c.Request.Context(), httpcore.Organizer(c).ID, ev, in)
	if err != nil {
		s.Error(c, err)
		return
	}
	sum, err := s.Store.Message(c.Request.Context(), ev.ID, m.ID)
	if err != nil {
		s.Error(c, err)
		return
	}
	if sum.HeldBack, err = s.Store.HeldBack(c.Request.Context(), ev, sum.Message); err != nil {
		s.Error(c, err)
		return
	}
	v := messageView{Message: sum.Message, MessageCounts: sum.MessageCounts}
	if in.Send && in.SendAt == nil {
		v.Added = &added
	}
	c.Header("Location", "/api/v1/events/"+ev.Slug+"/messages/"+strconv.FormatInt(m.ID, 10))
	c.JSON(http.StatusCreated, v)
}

// ListMessages lists an event's messages with their counts.
func (s *API) ListMessages(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	list, err := s.Store.Messages(c.Request.Context(), ev.ID)
	if err != nil {
		s.Error(c, err)
		return
	}
	out := make([]messageView, len(list))
	for i, m := range list {
		if m.HeldBack, err = s.Store.HeldBack(c.Request.Context(), ev, m.Message); err != nil {
			s.Error(c, err)
			return
		}
		out[i] = messageView{Message: m.Message, MessageCounts: m.MessageCounts}
	}
	c.JSON(http.StatusOK, gin.H{"messages": out})
}

// messageID reads the message id of the path and the event it belongs to.
func (s *API) messageID(c *gin.Context) (*domain.Event, int64, bool) {
	pp := params(c)
	id := pp.positive("id")
	if !pp.ok(s) {
		return nil, 0, false
	}
	ev, ok := s.managedEvent(c)
	return ev, id, ok
}

// GetMessage shows a message with its recipients and where each stands.
func (s *API) GetMessage(c *gin.Context) {
	ev, id, ok := s.messageID(c)
	if !ok {
		return
	}
	s.answerMessage(c, ev, id, nil)
}

func (s *API) answerMessage(c *gin.Context, ev *domain.Event, id int64, added *int) {
	ctx := c.Request.Context()
	m, err := s.Store.Message(ctx, ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	if m.HeldBack, err = s.Store.HeldBack(ctx, ev, m.Message); err != nil {
		s.Error(c, err)
		return
	}
	recipients, err := s.Store.MessageRecipients(ctx, ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, messageView{Message: m.Message, MessageCounts: m.MessageCounts, RecipientList: recipients, Added: added})
}

// messageAction runs act on the message of the path and answers with the
// message; act's count, when not nil, is the answer's "added".
func (s *API) messageAction(c *gin.Context, act func(ctx context.Context, ev *domain.Event, id int64) (*int, error)) {
	ev, id, ok := s.messageID(c)
	if !ok {
		return
	}
	added, err := act(c.Request.Context(), ev, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	s.answerMessage(c, ev, id, added)
}

// SendMessage sends a stored message now; sending a sent one again writes
// only to those who match now and were not written to yet.
func (s *API) SendMessage(c *gin.Context) {
	s.messageAction(c, func(ctx context.Context, ev *domain.Event, id int64) (*int, error) {
		added, err := s.Store.SendMessage(ctx, httpcore.Organizer(c).ID, ev, id)
		return &added, err
	})
}

// CancelMessage stops a draft or scheduled message.
func (s *API) CancelMessage(c *gin.Context) {
	s.messageAction(c, func(ctx context.Context, ev *domain.Event, id int64) (*int, error) {
		return nil, s.Store.CancelMessage(ctx, ev.ID, id)
	})
}

// RetryFailedMessage queues the message's failed emails again.
func (s *API) RetryFailedMessage(c *gin.Context) {
	s.messageAction(c, func(ctx context.Context, ev *domain.Event, id int64) (*int, error) {
		n, err := s.Store.RetryFailedMessage(ctx, ev.ID, id)
		return &n, err
	})
}

// TestMessage sends the message to the organizer asking, once, in the
// event's main language; they are not counted as a recipient.
func (s *API) TestMessage(c *gin.Context) {
	ev, id, ok := s.messageID(c)
	if !ok {
		return
	}
	org := httpcore.Organizer(c)
	if err := s.Store.QueueTestMessage(c.Request.Context(), ev, id, org.Email, org.Name, ev.Languages[0]); err != nil {
		s.Error(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"to": org.Email})
}

// PreviewMessage counts the recipients of the message in the body and shows
// it as the first of them would get it.
func (s *API) PreviewMessage(c *gin.Context) {
	ev, ok := s.managedEvent(c)
	if !ok {
		return
	}
	in, ok := s.checkMessage(c, ev)
	if !ok {
		return
	}
	s.answerPreview(c, ev, &domain.Message{Texts: in.Texts, Filter: in.Filter})
}

// PreviewStoredMessage is PreviewMessage for a stored message: it counts
// whom sending it now would add.
func (s *API) PreviewStoredMessage(c *gin.Context) {
	ev, id, ok := s.messageID(c)
	if !ok {
		return
	}
	m, err := s.Store.Message(c.Request.Context(), ev.ID, id)
	if err != nil {
		s.Error(c, err)
		return
	}
	s.answerPreview(c, ev, m.Message)
}

func (s *API) answerPreview(c *gin.Context, ev *domain.Event, m *domain.Message) {
	p, err := s.Store.PreviewMessage(c.Request.Context(), ev, m.ID, m.Filter)
	if err != nil {
		s.Error(c, err)
		return
	}
	out := previewView{Recipients: p.Recipients, HeldBack: p.HeldBack}
	if p.Sample != nil {
		r, err := s.renderer.MessagePreview(ev, m, p.Sample, s.Config.BaseURL.String())
		if err != nil {
			s.Error(c, err)
			return
		}
		out.Preview = &renderedMessage{Language: r.Lang, Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	}
	c.JSON(http.StatusOK, out)
}
