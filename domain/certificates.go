package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CertificateRuleKind names how a certificate of attendance is earned.
type CertificateRuleKind string

const (
	// RuleEveryDay: checked in on every day of the event.
	RuleEveryDay CertificateRuleKind = "every_day"
	// RuleMinDays: checked in on at least MinDays of the event's days.
	RuleMinDays CertificateRuleKind = "min_days"
)

// CertificateRule is the organizer's rule for who gets a certificate of
// attendance. Attendance is what the door recorded: check-ins on the
// event's days, whatever the registration's status is now (as in the
// statistics: a person who attended and later cancelled attended).
type CertificateRule struct {
	Kind    CertificateRuleKind `json:"kind"`
	MinDays int                 `json:"min_days,omitempty"` // RuleMinDays only
}

// Met reports whether a person checked in on the days attended meets the
// rule for ev. Only distinct days within the event count, so a check-in
// left on a date the event no longer has earns nothing. A rule that is not
// valid for ev (an unknown kind, MinDays below 1) is never met: a mistake
// in the settings must not hand out certificates.
func (r CertificateRule) Met(ev *Event, attended []Date) bool {
	n := AttendedDays(ev, attended)
	switch r.Kind {
	case RuleEveryDay:
		return n > 0 && n == len(ev.Days())
	case RuleMinDays:
		return r.MinDays >= 1 && n >= r.MinDays
	}
	return false
}

// AttendedDays counts the distinct days of ev among attended.
func AttendedDays(ev *Event, attended []Date) int {
	seen := make(map[Date]bool, len(attended))
	for _, d := range attended {
		if ev.HasDay(d) {
			seen[d] = true
		}
	}
	return len(seen)
}

// CertificateSettings are what an organizer sets for an event's
// certificates of attendance.
type CertificateSettings struct {
	Rule CertificateRule `json:"rule"`
	// Hours is stated on every certificate when set; 0 states the hours
	// the person attended by the event's daily schedule (HoursFor).
	Hours          int    `json:"hours"`
	SignatoryName  string `json:"signatory_name"`
	SignatoryTitle string `json:"signatory_title"`
}

// CertificateSettingsInput is what an organizer submits.
type CertificateSettingsInput struct {
	Rule           CertificateRuleKind `json:"rule" validate:"required,oneof=every_day min_days"`
	MinDays        int                 `json:"min_days" validate:"min=0,max=366"`
	Hours          int                 `json:"hours" validate:"min=0,max=10000"`
	SignatoryName  string              `json:"signatory_name" validate:"required,max=200,nocontrol"`
	SignatoryTitle string              `json:"signatory_title" validate:"max=200,nocontrol"`
}

// CertificateSettings validates in against ev, reporting every failing
// field at once: a min_days rule needs between 1 and the event's number of
// days (more could never be met).
func (r *Rules) CertificateSettings(in CertificateSettingsInput, ev *Event) (CertificateSettings, error) {
	in.SignatoryName = CleanText(in.SignatoryName)
	in.SignatoryTitle = CleanText(in.SignatoryTitle)
	fields := r.validate(&in)
	if in.Rule == RuleMinDays {
		switch days := len(ev.Days()); {
		case in.MinDays < 1:
			fields = append(fields, NewFieldError("min_days", "min", "1"))
		case in.MinDays > days:
			fields = append(fields, NewFieldError("min_days", "max_days", strconv.Itoa(days)))
		}
	}
	if err := ValidationError(certificateMessages(fields)); err != nil {
		return CertificateSettings{}, err
	}
	rule := CertificateRule{Kind: in.Rule}
	if in.Rule == RuleMinDays {
		rule.MinDays = in.MinDays
	}
	return CertificateSettings{Rule: rule, Hours: in.Hours,
		SignatoryName: in.SignatoryName, SignatoryTitle: in.SignatoryTitle}, nil
}

// certificateLabels name the settings' fields in English messages.
var certificateLabels = map[string]string{
	"rule": "Certificate rule", "min_days": "Minimum days", "hours": "Hours",
	"signatory_name": "Signatory's name", "signatory_title": "Signatory's title",
}

// certificateMessages words the English messages of the settings' fields:
// their labels, and limits of numbers as numbers rather than lengths.
func certificateMessages(fields []FieldError) []FieldError {
	for i, f := range fields {
		label, ok := certificateLabels[f.Field]
		if !ok {
			continue
		}
		switch {
		case f.Code == "max_days":
			fields[i].Message = fmt.Sprintf("%s must be at most the event's %s days.", label, f.Param)
		case f.Code == "max" && (f.Field == "min_days" || f.Field == "hours"):
			fields[i].Message = fmt.Sprintf("%s must be at most %s.", label, f.Param)
		default:
			fields[i].Message = label + strings.TrimPrefix(f.Message, Label(f.Field))
		}
	}
	return fields
}

// HoursFor is the number of hours a certificate states for a person who
// attended the given days: Hours when the organizer set it, else the
// event's daily schedule (DayStartsAt to DayEndsAt) times the distinct
// event days attended, rounded to the nearest hour.
func (s CertificateSettings) HoursFor(ev *Event, attended []Date) int {
	if s.Hours > 0 {
		return s.Hours
	}
	start, err1 := time.Parse("15:04", ev.DayStartsAt)
	end, err2 := time.Parse("15:04", ev.DayEndsAt)
	if err1 != nil || err2 != nil || !end.After(start) {
		return 0
	}
	total := end.Sub(start) * time.Duration(AttendedDays(ev, attended))
	return int(total.Round(time.Hour) / time.Hour)
}
