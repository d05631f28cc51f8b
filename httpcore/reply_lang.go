package httpcore

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
)

// ctxReplyLang is the language a JSON answer speaks, when a handler chose one.
const ctxReplyLang = "attend.reply_lang"

// ReplyIn makes the rest of this request's answer, problems included, speak
// lang (a code of i18n.Supported).
func ReplyIn(c *gin.Context, lang string) {
	c.Set(ctxReplyLang, lang)
	c.Header("Content-Language", lang)
}

// ReplyLang is the language ReplyIn chose for this request's answer, ""
// when none was chosen.
func ReplyLang(c *gin.Context) string { return c.GetString(ctxReplyLang) }

// ReplyLocalizer is the translator of this request's answer, or nil when it
// speaks English. English answers keep the API's own sentences, which the
// reference documents and clients may already show; the message files
// supply the other languages.
func (s *Core) ReplyLocalizer(c *gin.Context) *i18n.Localizer {
	lang := ReplyLang(c)
	if lang == "" || lang == i18n.DefaultLanguage {
		return nil
	}
	return s.I18n.Localizer(lang)
}

// localizeProblem translates a problem's title and detail by its type, and
// each field error by its code and parameter, exactly as the web form
// translates them (i18n.Localizer.FieldError). A detail without a
// translation keeps its English text.
func (s *Core) localizeProblem(c *gin.Context, l *i18n.Localizer, p Problem) Problem {
	if id := "api.problem." + p.slug + ".title"; l.Has(id) {
		p.Title = l.T(id, nil)
	}
	detail := "api.problem." + p.slug + ".detail"
	var param string
	switch p.slug {
	case "registration-closed":
		reason, _ := p.Extra["reason"].(string)
		detail = "closure." + reason
	case "payload-too-large":
		param = strconv.FormatInt(s.BodyLimit(c), 10)
	case "rate-limited":
		param = c.Writer.Header().Get("Retry-After")
	}
	if l.Has(detail) {
		p.Detail = l.T(detail, map[string]any{"Param": param})
	}
	if len(p.Errors) > 0 {
		fields := make([]domain.FieldError, len(p.Errors))
		for i, fe := range p.Errors {
			fe.Message = l.FieldError(fe)
			fields[i] = fe
		}
		p.Errors = fields
	}
	return p
}

// ReplyInAcceptLanguage makes the answer speak the language of the
// request's Accept-Language header, when it names one attend speaks.
func ReplyInAcceptLanguage(c *gin.Context) {
	if lang, ok := i18n.MatchAcceptLanguage(c.GetHeader("Accept-Language")); ok {
		ReplyIn(c, lang)
	}
}
