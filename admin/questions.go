package admin

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
	"github.com/attend/attend/i18n"
)

// The editor of an event's registration questions (/admin/events/{slug}/
// questions), a page of its own beside the event's form. It works without
// script: each question is a group of fields numbered q0, q1, … in form
// order, and one empty group adds a question. It saves through the same
// rules as PATCH /api/v1/events (domain.SetQuestions), which keep the
// answers given: a key and a type never change once a question exists, and
// a question or option removed stays readable in the answers.

// questionsPage is the editor's page.
type questionsPage struct {
	Admin     adminBar
	Notice    *notice
	Event     httpcore.EventInfo
	BackHref  string
	Action    string
	Langs     []string
	Types     []httpcore.Option
	Blocks    []questionBlock
	Count     int
	Summary   []summaryLine
	HasErrors bool
}

// questionBlock is one question's group of fields.
type questionBlock struct {
	N                  int    // its number in the form, from 0
	Legend             string // "Question 2" or "New question"
	Existing           bool   // key and type are fixed
	Key, Type, TypeTxt string
	Labels, Helps      []langText
	Options            string // one per line: value | en | ru | uz
	Required, Personal bool
	Position           int
	Remove             bool
	Blank              bool // the empty group that adds a question
	Errors             []string
}

// langText is a text field of one language.
type langText struct{ Lang, Label, Value string }

type summaryLine struct{ Href, Text string }

// Questions shows the editor.
func (s *Admin) Questions(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok {
		return
	}
	s.renderQuestions(c, http.StatusOK, ev, lang, blocksOf(ev.Questions.Asked()), nil)
}

// SaveQuestions saves the editor's questions, then shows the editor again
// (303 on success, 422 with every error otherwise).
func (s *Admin) SaveQuestions(c *gin.Context) {
	lang := s.BrowserLang(c.Writer, c.Request)
	ev, ok := s.managedEvent(c, lang)
	if !ok || !s.ParseForm(c, lang) {
		return
	}
	blocks := readBlocks(c.Request.PostForm, ev.Questions)
	in, sent := questionInputs(blocks)
	_, err := s.Store.UpdateEvent(c.Request.Context(), httpcore.Organizer(c).ID, ev.Slug, func(ev *domain.Event) error {
		return s.Rules.ApplyPatch(ev, domain.EventInput{Questions: domain.Some(in)})
	})
	if e, ok := domain.AsError(err); ok && e.Code == domain.EInvalid {
		s.renderQuestions(c, http.StatusUnprocessableEntity, ev, lang, blocks, questionErrors(e.Fields, sent))
		return
	}
	if err != nil {
		s.PageError(c, lang, err, "not_found")
		return
	}
	c.Redirect(http.StatusSeeOther, eventAdminPath(ev.Slug)+"/questions?done=questions&lang="+url.QueryEscape(lang))
}

func (s *Admin) renderQuestions(c *gin.Context, status int, ev *domain.Event, lang string, blocks []questionBlock, errs map[int][]domain.FieldError) {
	v := s.NewView(c.Request, lang, "")
	v.Title = v.T("admin.questions.title") + " — " + ev.Title
	l := v.L
	p := questionsPage{Admin: adminBarOf(c), Notice: pageNotice(c, v), Event: s.EventInfo(ev, l),
		BackHref: eventAdminPath(ev.Slug), Action: eventAdminPath(ev.Slug) + "/questions?lang=" + lang, Langs: ev.Languages}
	for _, t := range domain.QuestionTypes {
		p.Types = append(p.Types, httpcore.Option{Value: string(t), Label: l.T("admin.questions.type."+string(t), nil)})
	}
	blocks = append(slices.Clone(blocks), questionBlock{Personal: true, Position: len(blocks) + 1, Blank: true,
		Type: string(domain.QuestionSingleChoice)})
	for i := range blocks {
		b := &blocks[i]
		b.N = i
		b.Legend = l.T("admin.questions.question", map[string]any{"Count": i + 1})
		if !b.Existing {
			b.Legend = l.T("admin.questions.new", nil)
		}
		b.TypeTxt = l.T("admin.questions.type."+b.Type, nil)
		b.Labels, b.Helps = langTexts(b.Labels, l, "admin.questions.label"), langTexts(b.Helps, l, "admin.questions.help")
		for _, fe := range errs[i] {
			msg := questionPart(fe.Field, l) + ": " + l.FieldError(fe)
			b.Errors = append(b.Errors, msg)
			p.Summary = append(p.Summary, summaryLine{Href: "#q" + strconv.Itoa(i), Text: b.Legend + " — " + msg})
		}
	}
	p.Blocks, p.Count, p.HasErrors = blocks, len(blocks), len(p.Summary) > 0
	v.Error = p.HasErrors
	v.Page = p
	s.pages.Render(c, status, "admin_questions", v)
}

// langTexts labels a question's texts for the form: one field per
// supported language, in order, with what is there.
func langTexts(have []langText, l *i18n.Localizer, id string) []langText {
	out := make([]langText, 0, len(domain.Languages))
	for _, lang := range domain.Languages {
		t := langText{Lang: lang, Label: l.T(id, map[string]any{"Param": l.LanguageName(lang)})}
		for _, h := range have {
			if h.Lang == lang {
				t.Value = h.Value
			}
		}
		out = append(out, t)
	}
	return out
}

// blocksOf are the editor's groups for the questions asked now.
func blocksOf(qs domain.Questions) []questionBlock {
	out := make([]questionBlock, len(qs))
	for i, q := range qs {
		b := questionBlock{Existing: true, Key: q.Key, Type: string(q.Type), Required: q.Required, Personal: q.Personal, Position: i + 1}
		for _, lang := range domain.Languages {
			b.Labels = append(b.Labels, langText{Lang: lang, Value: q.Label[lang]})
			b.Helps = append(b.Helps, langText{Lang: lang, Value: q.Help[lang]})
		}
		var lines []string
		for _, o := range q.Offered() {
			parts := []string{o.Value}
			for _, lang := range domain.Languages {
				parts = append(parts, o.Label[lang])
			}
			lines = append(lines, strings.TrimRight(strings.Join(parts, " | "), " |"))
		}
		b.Options = strings.Join(lines, "\n")
		out[i] = b
	}
	return out
}

// readBlocks reads the editor's groups back from the form. A group whose
// key is one of the event's questions is that question (its type cannot
// change).
func readBlocks(form url.Values, qs domain.Questions) []questionBlock {
	n, _ := strconv.Atoi(form.Get("count"))
	n = min(max(n, 0), domain.MaxQuestions+1)
	var out []questionBlock
	for i := range n {
		f := func(name string) string { return strings.TrimSpace(form.Get("q" + strconv.Itoa(i) + "." + name)) }
		b := questionBlock{Key: f("key"), Type: f("type"), Options: strings.TrimSpace(form.Get("q" + strconv.Itoa(i) + ".options")),
			Required: f("required") != "", Personal: f("personal") != "", Remove: f("remove") != ""}
		b.Position, _ = strconv.Atoi(f("position"))
		for _, lang := range domain.Languages {
			b.Labels = append(b.Labels, langText{Lang: lang, Value: f("label." + lang)})
			b.Helps = append(b.Helps, langText{Lang: lang, Value: form.Get("q" + strconv.Itoa(i) + ".help." + lang)})
		}
		if q, ok := qs.Find(b.Key); ok && !q.Removed {
			b.Existing, b.Type = true, string(q.Type)
		}
		blank := b.Key == "" && !slices.ContainsFunc(b.Labels, func(t langText) bool { return t.Value != "" })
		if !b.Existing && blank {
			continue // the empty group for a new question, left empty
		}
		out = append(out, b)
	}
	slices.SortStableFunc(out, func(a, b questionBlock) int { return a.Position - b.Position })
	return out
}

// questionInputs are the questions the blocks ask, in order, and for each
// the number of the block it came from.
func questionInputs(blocks []questionBlock) ([]domain.QuestionInput, []int) {
	in := []domain.QuestionInput{}
	var from []int
	for i, b := range blocks {
		if b.Remove {
			continue
		}
		q := domain.QuestionInput{Key: b.Key, Type: b.Type, Label: map[string]string{}, Help: map[string]string{}}
		required, personal := b.Required, b.Personal
		q.Required, q.Personal = &required, &personal
		for _, t := range b.Labels {
			q.Label[t.Lang] = t.Value
		}
		for _, t := range b.Helps {
			q.Help[t.Lang] = t.Value
		}
		for line := range strings.Lines(b.Options) {
			parts := strings.Split(line, "|")
			if strings.TrimSpace(line) == "" {
				continue
			}
			o := domain.OptionInput{Value: strings.TrimSpace(parts[0]), Label: map[string]string{}}
			for j, lang := range domain.Languages {
				if j+1 < len(parts) {
					o.Label[lang] = strings.TrimSpace(parts[j+1])
				}
			}
			q.Options = append(q.Options, o)
		}
		in = append(in, q)
		from = append(from, i)
	}
	return in, from
}

// questionErrors sorts field errors ("questions[2].label") by the block
// they concern.
func questionErrors(fields []domain.FieldError, from []int) map[int][]domain.FieldError {
	out := map[int][]domain.FieldError{}
	for _, fe := range fields {
		rest, ok := strings.CutPrefix(fe.Field, "questions[")
		idx, _, _ := strings.Cut(rest, "]")
		j, err := strconv.Atoi(idx)
		if !ok || err != nil || j < 0 || j >= len(from) {
			out[0] = append(out[0], fe)
			continue
		}
		out[from[j]] = append(out[from[j]], fe)
	}
	return out
}

// questionPart names the part of a question a field error is about.
func questionPart(field string, l *i18n.Localizer) string {
	_, rest, _ := strings.Cut(field, "].")
	part, lang, _ := strings.Cut(rest, ".")
	if strings.HasPrefix(part, "options") {
		return l.T("admin.questions.options", nil)
	}
	switch part {
	case "key", "type":
		return l.T("admin.questions."+part, nil)
	case "label", "help":
		name := strings.Join(domain.Languages, ", ")
		if lang != "" {
			name = l.LanguageName(lang)
		}
		return l.T("admin.questions."+part, map[string]any{"Param": name})
	}
	return l.T("admin.questions.title", nil)
}
