package domain

import (
	"slices"
	"strings"
	"time"
)

// RegistrationEdit is what a participant changes in their own registration
// from their emailed link (POST /api/v1/registrations/update, or the form
// on their page). Fields not sent stay as they are; answers sent replace
// the answers to the same questions, and null or "" removes one. The email
// address is the one thing that cannot change: the link was sent to it.
type RegistrationEdit struct {
	FirstName      *string        `json:"first_name"`
	LastName       *string        `json:"last_name"`
	LatinFirstName *string        `json:"latin_first_name"`
	LatinLastName  *string        `json:"latin_last_name"`
	Email          *string        `json:"email"`
	Phone          *string        `json:"phone"`
	Country        *string        `json:"country"`
	Delegation     *string        `json:"delegation"`
	Organization   *string        `json:"organization"`
	Position       *string        `json:"position"`
	Role           *string        `json:"role"`
	Language       *string        `json:"language"`
	Days           *[]string      `json:"days"`
	Answers        map[string]any `json:"answers"`
}

// Change is one field a participant changed, with its values before and
// after as plain values (AnswerValues for answers; dates for days), for the
// email that tells them what changed and the organizers' record.
type Change struct {
	Field string   `json:"field"` // a registration field, or "answers.<key>"
	Old   []string `json:"old"`
	New   []string `json:"new"`
}

// EditRegistration applies a participant's edit to reg, a registration of
// ev, as of now, and returns the registration as it becomes and what
// changed (nothing, when the edit repeats what is there). The same rules
// as for registering hold, with every failing field reported at once. The
// edit is refused once registration has closed (EClosed) and for a
// registration that was cancelled or has expired (EConflict): the
// participant would have to register again.
func (r *Rules) EditRegistration(reg *Registration, ed RegistrationEdit, ev *Event, now time.Time) (*Registration, []Change, error) {
	if c := ev.RegistrationClosure(now); c == Closed || c == Past {
		return nil, nil, Errorf(EClosed, "registration has closed: the registration can no longer be changed")
	}
	if reg.Status == StatusCancelled || reg.Status == StatusExpired {
		return nil, nil, Errorf(EConflict, "this registration is %s: register again instead", reg.Status)
	}
	yes := true
	in := RegistrationInput{
		FirstName: reg.FirstName, LastName: reg.LastName, Email: reg.Email, Country: reg.Country,
		Organization: reg.Organization, Position: reg.Position, Role: reg.Role, Phone: reg.Phone,
		Language: reg.Language, Days: DateStrings(reg.Days), Consent: &yes,
		LatinFirstName: reg.LatinFirstName, LatinLastName: reg.LatinLastName,
	}
	// A delegation that was the country follows a change of country,
	// unless another is sent.
	delegation := reg.Delegation
	if delegation == reg.Country {
		delegation = ""
	}
	for _, f := range []struct {
		sent *string
		dst  *string
	}{
		{ed.FirstName, &in.FirstName}, {ed.LastName, &in.LastName},
		{ed.LatinFirstName, &in.LatinFirstName}, {ed.LatinLastName, &in.LatinLastName},
		{ed.Phone, &in.Phone}, {ed.Country, &in.Country}, {ed.Delegation, &delegation},
		{ed.Organization, &in.Organization}, {ed.Position, &in.Position},
		{ed.Role, &in.Role}, {ed.Language, &in.Language},
	} {
		if f.sent != nil {
			*f.dst = *f.sent
		}
	}
	in.Delegation = delegation
	if ed.Days != nil {
		in.Days = *ed.Days
	}
	in.normalize()
	fields := r.validate(&in)
	if ed.Email != nil && !strings.EqualFold(CleanText(*ed.Email), reg.Email) {
		fields = append(fields, NewFieldError("email", "readonly", ""))
	}
	days, dayErrs := ev.parseDays(in.Days)
	fields = append(fields, dayErrs...)
	code, delegationErrs := r.delegation(in.Delegation, in.Country)
	fields = append(fields, delegationErrs...)
	answers, answerErrs := r.CheckAnswers(ev.Questions, ed.Answers, reg.Answers)
	fields = append(fields, answerErrs...)
	if err := ValidationError(dedupe(fields)); err != nil {
		return nil, nil, err
	}
	if in.Language == "" {
		in.Language = reg.Language
	}
	out := *reg
	out.FirstName, out.LastName, out.LatinFirstName, out.LatinLastName = in.FirstName, in.LastName, in.LatinFirstName, in.LatinLastName
	out.Phone, out.Country, out.Delegation, out.Organization = in.Phone, in.Country, code, in.Organization
	out.Position, out.Role, out.Language, out.Days, out.Answers = in.Position, in.Role, in.Language, days, answers
	return &out, Changes(reg, &out, ev.Questions), nil
}

// Changes lists the fields in which after differs from before, in form
// order, answers last in the order of the questions.
func Changes(before, after *Registration, qs Questions) []Change {
	var out []Change
	text := func(field, old, new string) {
		if old != new {
			out = append(out, Change{Field: field, Old: nonEmpty(old), New: nonEmpty(new)})
		}
	}
	text("first_name", before.FirstName, after.FirstName)
	text("last_name", before.LastName, after.LastName)
	text("latin_first_name", before.LatinFirstName, after.LatinFirstName)
	text("latin_last_name", before.LatinLastName, after.LatinLastName)
	text("phone", before.Phone, after.Phone)
	text("country", before.Country, after.Country)
	text("delegation", before.Delegation, after.Delegation)
	text("organization", before.Organization, after.Organization)
	text("position", before.Position, after.Position)
	text("role", before.Role, after.Role)
	text("language", before.Language, after.Language)
	if old, new := DateStrings(before.Days), DateStrings(after.Days); !slices.Equal(old, new) {
		out = append(out, Change{Field: "days", Old: old, New: new})
	}
	keys := make([]string, 0, len(qs))
	for _, q := range qs {
		keys = append(keys, q.Key)
	}
	var gone []string // answers to questions the event no longer knows
	for _, a := range []Answers{before.Answers, after.Answers} {
		for k := range a {
			if !slices.Contains(keys, k) && !slices.Contains(gone, k) {
				gone = append(gone, k)
			}
		}
	}
	slices.Sort(gone)
	for _, k := range append(keys, gone...) {
		old, new := before.Answers[k], after.Answers[k]
		if !SameAnswer(old, new) {
			out = append(out, Change{Field: AnswerField(k), Old: AnswerValues(old), New: AnswerValues(new)})
		}
	}
	return out
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
