package api

import (
	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// replyLanguageOf chooses the language of the answer to a participant's
// registration: Accept-Language when it names a language attend speaks,
// else the language the body asks its emails in. It is called once the
// body is decoded (even partly: a value of the wrong type leaves the
// others decoded), and does nothing when the header already decided.
func replyLanguageOf(c *gin.Context, in *domain.RegistrationInput) {
	if httpcore.ReplyLang(c) != "" {
		return
	}
	if lang, ok := i18n.Match(in.Language); ok {
		httpcore.ReplyIn(c, lang)
	}
}

// acceptedMessage is the 202 answer's message for status, in the answer's
// language.
func (s *API) acceptedMessage(c *gin.Context, status domain.Status) string {
	if l := s.ReplyLocalizer(c); l != nil {
		return l.T("api.accepted."+string(status), nil)
	}
	return registrationMessages[status]
}
