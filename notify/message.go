package notify

import (
	"fmt"
	"html"
	htmltemplate "html/template"
	"regexp"
	"slices"
	"strings"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// linkPattern finds web links in an organizer's plain text.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"']+`)

// autolink is an organizer's plain text as HTML: everything escaped, web
// links made clickable, line breaks kept. Nothing the organizer writes can
// add markup: only the <a> and <br> this function writes are HTML.
func autolink(text string) htmltemplate.HTML {
	var b strings.Builder
	for i, line := range lines(text) {
		if i > 0 {
			b.WriteString("<br>\n")
		}
		rest := line
		for {
			loc := linkPattern.FindStringIndex(rest)
			if loc == nil {
				b.WriteString(html.EscapeString(rest))
				break
			}
			link := trimLink(rest[loc[0]:loc[1]])
			end := loc[0] + len(link)
			b.WriteString(html.EscapeString(rest[:loc[0]]))
			b.WriteString(`<a href="` + html.EscapeString(link) + `" style="color:#1e3a8a;">` + html.EscapeString(link) + `</a>`)
			rest = rest[end:]
		}
	}
	return htmltemplate.HTML(b.String()) //nolint:gosec // every piece of text above is escaped
}

// trimLink drops the punctuation that ends a sentence rather than a link,
// as common linkifiers do: a closing bracket stays when the link opened
// one it has not closed (https://example.org/path_(x)).
func trimLink(link string) string {
	for link != "" {
		last := link[len(link)-1]
		open := map[byte]byte{')': '(', ']': '[', '}': '{'}[last]
		switch {
		case open != 0 && strings.Count(link, string(open)) >= strings.Count(link, string(last)):
			return link
		case strings.IndexByte(".,;:!?)]}", last) >= 0:
			link = link[:len(link)-1]
		default:
			return link
		}
	}
	return link
}

// errSkip marks an organizer message that must not go out any more: its
// participant cancelled, was erased or unsubscribed after it was queued.
type errSkip struct{ reason string }

func (e errSkip) Error() string { return e.reason }

// skipReason says why an organizer message queued for reg must not be sent
// now, or "" when it may: the participant's status is re-checked at send
// time, since it may have changed after the message was queued.
func skipReason(reg *domain.Registration, optedOut map[string]bool) string {
	switch {
	case reg == nil:
		return ""
	case store.Erased(reg):
		return "the participant was erased"
	case !slices.Contains(domain.MessageStatuses, reg.Status):
		return "the participant's registration is " + string(reg.Status)
	case optedOut[reg.ID]:
		return "the participant unsubscribed from messages"
	}
	return ""
}

// fillMessage puts organizer message m into d for the email of row, in
// lang (falling back to the event's main language), with reg's
// unsubscribe link; reg is nil for a test sent to the organizer.
func (w *Worker) fillMessage(d *Data, row *store.Email, lang string, reg *domain.Registration, ev *domain.Event, m *domain.Message, optedOut map[string]bool) error {
	if m == nil {
		return fmt.Errorf("organizer message %d no longer exists", row.Payload.OrganizerMessageID)
	}
	if reason := skipReason(reg, optedOut); reason != "" {
		return errSkip{reason}
	}
	main := "en"
	if len(ev.Languages) > 0 {
		main = ev.Languages[0]
	}
	t := m.Texts.In(resolveLanguage(lang, ev.Languages), main)
	d.MessageSubject = domain.ApplyMessageSubjectName(t.Subject, row.RecipientName)
	d.MessageBody = domain.ApplyMessageName(t.Body, strings.TrimSpace(row.RecipientName))
	if reg != nil {
		token, err := w.Store.UnsubscribeToken(reg.ID)
		if err != nil {
			return err
		}
		d.UnsubscribeURL = w.BaseURL + "/unsubscribe/" + token
	}
	return nil
}

// MessagePreview renders organizer message m as participant reg (nil: as
// the organizer's test) of ev would get it, for the preview before sending.
func (r *Renderer) MessagePreview(ev *domain.Event, m *domain.Message, reg *domain.Registration, baseURL string) (Rendered, error) {
	lang := ev.Languages[0]
	name := ""
	if reg != nil {
		lang, name = reg.Language, reg.FirstName+" "+reg.LastName
	}
	lang = m.Texts.Language(resolveLanguage(lang, ev.Languages), ev.Languages[0])
	evIn := ev.In(lang)
	t := m.Texts.In(lang, ev.Languages[0])
	d := Data{
		Participant: Participant{},
		Event: Event{Title: evIn.Title, Venue: evIn.Venue, City: evIn.City, CountryCode: ev.Country,
			CountryName: r.CountryName(lang, ev.Languages, ev.Country),
			StartsOn:    ev.StartsOn.Time(), EndsOn: ev.EndsOn.Time(), DayStartsAt: ev.DayStartsAt, DayEndsAt: ev.DayEndsAt,
			Timezone: ev.Timezone, Languages: ev.Languages},
		MessageSubject: domain.ApplyMessageSubjectName(t.Subject, name),
		MessageBody:    domain.ApplyMessageName(t.Body, strings.TrimSpace(name)),
		BaseURL:        baseURL,
	}
	if reg != nil {
		d.Participant = Participant{FirstName: reg.FirstName, LastName: reg.LastName}
		d.UnsubscribeURL = baseURL + "/unsubscribe/…"
	}
	return r.Render(KindMessage, lang, d)
}
