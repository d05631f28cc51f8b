package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/mail"
	"strconv"
	"time"

	"github.com/lib/pq"
	gomail "github.com/wneessen/go-mail"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/notify"
	"github.com/attend/attend/templates"
)

// sample is one email of a kind, rendered as the worker renders it.
type sample struct {
	kind  domain.EmailKind
	email notify.Email
	raw   []byte // the message as sent (headers and body, CRLF)
}

// sampleMessages renders one email of each kind in mailKinds for a real
// registration of the event, filling notify.Data as the worker does.
func sampleMessages(ctx context.Context, db *sql.DB, eventID int64) ([]sample, error) {
	renderer, err := notify.NewRenderer(templates.FS)
	if err != nil {
		return nil, err
	}
	var ev struct {
		title, venue, city, country, tz string
		starts, ends                    time.Time
		langs                           pq.StringArray
	}
	if err := db.QueryRowContext(ctx, `
		SELECT title, venue, city, country, timezone, starts_on, ends_on, languages FROM events WHERE id = $1`, eventID).
		Scan(&ev.title, &ev.venue, &ev.city, &ev.country, &ev.tz, &ev.starts, &ev.ends, &ev.langs); err != nil {
		return nil, err
	}
	var out []sample
	for _, kind := range mailKinds {
		status := domain.StatusPending
		if kind == domain.EmailConfirmed {
			status = domain.StatusConfirmed
		}
		var id, first, last, email, code string
		if err := db.QueryRowContext(ctx, `
			SELECT id, first_name, last_name, email, checkin_code FROM registrations
			WHERE event_id = $1 AND status = $2 AND language = 'en' LIMIT 1`, eventID, status).
			Scan(&id, &first, &last, &email, &code); err != nil {
			return nil, err
		}
		k, err := notify.ParseKind(string(kind))
		if err != nil {
			return nil, err
		}
		manage := "http://127.0.0.1:8080/r/" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdE"
		d := notify.Data{
			RegistrationID: id,
			Participant:    notify.Participant{FirstName: first, LastName: last},
			Event: notify.Event{Title: ev.title, Venue: ev.venue, City: ev.city, CountryCode: ev.country,
				CountryName: domain.CountryName(ev.country), StartsOn: ev.starts, EndsOn: ev.ends,
				DayStartsAt: "09:00", DayEndsAt: "18:00", Timezone: ev.tz, Languages: ev.langs},
			Days:        []time.Time{ev.starts, ev.ends},
			CheckinCode: code,
			ManageURL:   manage, ConfirmURL: manage + "?action=confirm", CancelURL: manage + "?action=cancel",
			BaseURL:   "http://127.0.0.1:8080",
			CreatedAt: time.Now(),
		}
		e, err := renderer.Build(k, "en", d, "<"+domain.NewMessageID("bench.invalid", time.Now())+">",
			mail.Address{Name: first + " " + last, Address: email})
		if err != nil {
			return nil, err
		}
		m, err := goMailMessage(e)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			return nil, err
		}
		out = append(out, sample{kind: kind, email: e, raw: buf.Bytes()})
	}
	return out, nil
}

// goMailMessage builds the go-mail message for e the way notify.Sender
// does: the same headers, parts, inline image and attachments.
func goMailMessage(e notify.Email) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(&mail.Address{Name: "attend", Address: "noreply@bench.invalid"})
	to := e.To
	m.AddToMailAddress(&to)
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.MessageID[1 : len(e.MessageID)-1])
	m.SetDateWithValue(time.Now())
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader(gomail.HeaderXAutoResponseSuppress, "OOF, AutoReply")
	m.SetGenHeader(gomail.HeaderContentLang, e.Lang)
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	for _, a := range e.Inline {
		if err := m.EmbedReader(a.Filename, bytes.NewReader(a.Data),
			gomail.WithFileContentID("<"+a.ContentID+">"), gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, err
		}
	}
	for _, a := range e.Attachments {
		if err := m.AttachReader(a.Filename, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType))); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// bareGoMail sends counts[i] messages of each sample over one go-mail
// connection, building each message afresh as a plain sending loop would.
func bareGoMail(ctx context.Context, port int, samples []sample, counts []int) (time.Duration, error) {
	c, err := gomail.NewClient("127.0.0.1", gomail.WithPort(port), gomail.WithTLSPolicy(gomail.NoTLS),
		gomail.WithTimeout(15*time.Second))
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := c.DialWithContext(ctx); err != nil {
		return 0, fmt.Errorf("bench: go-mail dial: %w", err)
	}
	for i, s := range samples {
		for j := 0; j < counts[i]; j++ {
			e := s.email
			e.To.Address = "bare-" + strconv.Itoa(j) + "@example.org"
			e.MessageID = "<" + domain.NewMessageID("bench.invalid", time.Now()) + ">"
			m, err := goMailMessage(e)
			if err != nil {
				return 0, err
			}
			if err := c.Send(m); err != nil {
				return 0, fmt.Errorf("bench: go-mail send: %w", err)
			}
		}
	}
	if err := c.Close(); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
