package domain

import (
	"strings"
	"testing"
	"time"
)

func TestCheckVisa(t *testing.T) {
	ev := &Event{Timezone: "Asia/Tashkent", StartsOn: NewDate(2019, time.May, 30), EndsOn: NewDate(2019, time.May, 31)}
	now := time.Date(2019, time.April, 1, 12, 0, 0, 0, time.UTC)
	good := VisaInput{PassportName: "Gʻayrat Toʻxtayev", PassportNumber: " fa 123-4567 ", Nationality: "uz",
		DateOfBirth: "1990-02-01", PassportExpiry: "2025-01-01"}
	tests := []struct {
		name   string
		change func(*VisaInput)
		want   string // "field:code", or "" for accepted
	}{
		{"a good request, with the Uzbek ʻ in the Latin name", func(*VisaInput) {}, ""},
		{"a Cyrillic passport name", func(in *VisaInput) { in.PassportName = "Гайрат" }, "visa.passport_name:latin"},
		{"no passport name", func(in *VisaInput) { in.PassportName = " " }, "visa.passport_name:required"},
		{"a passport number with a sign", func(in *VisaInput) { in.PassportNumber = "№1234567" }, "visa.passport_number:passport"},
		{"a passport number too short", func(in *VisaInput) { in.PassportNumber = "AB1" }, "visa.passport_number:passport"},
		{"an unknown nationality", func(in *VisaInput) { in.Nationality = "XX" }, "visa.nationality:iso3166"},
		{"a birth date in the future", func(in *VisaInput) { in.DateOfBirth = "2019-06-01" }, "visa.date_of_birth:past"},
		{"a birth date that is not a date", func(in *VisaInput) { in.DateOfBirth = "01.02.1990" }, "visa.date_of_birth:date"},
		{"a passport that expires on the event's last day", func(in *VisaInput) { in.PassportExpiry = "2019-05-31" }, "visa.passport_expiry:after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.change(&in)
			v, fields := CheckVisa(in, ev, now)
			var got []string
			for _, f := range fields {
				got = append(got, f.Field+":"+f.Code)
				if f.Message == "" || strings.Contains(f.Message, "is invalid") {
					t.Errorf("%s has no sentence of its own: %q", f.Field, f.Message)
				}
			}
			if strings.Join(got, ",") != tt.want {
				t.Fatalf("errors %v, want %q", got, tt.want)
			}
			if tt.want == "" && (v.PassportNumber != "FA1234567" || v.Nationality != "UZ") {
				t.Errorf("cleaned %+v, want FA1234567 from UZ", v)
			}
		})
	}
}

func TestFillVisaTemplateLeavesUnknownPlaceholders(t *testing.T) {
	got := FillVisaTemplate("{{name}} ({{passport_number}}) {{unknown}}", map[string]string{"name": "Дилноза", "passport_number": "N1"})
	if got != "Дилноза (N1) {{unknown}}" {
		t.Errorf("got %q", got)
	}
}

func TestCheckVisaLetters(t *testing.T) {
	v := &VisaLetters{HostName: " Academy ", HostAddress: "45 Amir Temur\r\nTashkent", SignatoryName: "Alisher Karimov",
		Templates: map[string]string{"ru": "Приглашаем {{name}}.", "de": "x"}}
	fields := CheckVisaLetters(v)
	if len(fields) != 1 || fields[0].Field != "visa_letters.templates.de" {
		t.Errorf("errors %+v, want one on the German template", fields)
	}
	if v.HostName != "Academy" || v.HostAddress != "45 Amir Temur\nTashkent" {
		t.Errorf("cleaned %+v", v)
	}
	if v.Template("en") != DefaultVisaTemplate("en") || v.Template("ru") != "Приглашаем {{name}}." {
		t.Error("an empty language does not fall back to the default, or a given one is not used")
	}
}

func TestCheckVisaLettersRefusesUnknownPlaceholders(t *testing.T) {
	for _, tt := range []struct{ template, want string }{
		{"Dear {{name}}, {{nonsense}} awaits.", "{{nonsense}}"},
		{"{{ name }} is spaced", "{{ name }}"},
		{"{{Name}}", "{{Name}}"},
		{"{{}}", "{{}}"},
		{"{{name}} of {{nationality}}, {{host}}", ""},
	} {
		v := &VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov",
			Templates: map[string]string{"en": tt.template}}
		fields := CheckVisaLetters(v)
		switch {
		case tt.want == "" && len(fields) > 0:
			t.Errorf("%q: errors %+v", tt.template, fields)
		case tt.want != "" && (len(fields) != 1 || fields[0].Field != "visa_letters.templates.en" ||
			fields[0].Code != "placeholder" || !strings.Contains(fields[0].Message, tt.want)):
			t.Errorf("%q: errors %+v, want one naming %s", tt.template, fields, tt.want)
		}
	}
}

func TestVisaLettersInALanguage(t *testing.T) {
	v := &VisaLetters{HostName: "Academy", HostAddress: "Tashkent", SignatoryName: "Alisher Karimov", SignatoryTitle: "Rector",
		Translations: map[string]VisaTexts{"ru": {HostName: " Академия ", SignatoryTitle: "Ректор"}, "en": {}, "de": {HostName: "Akademie"}}}
	fields := CheckVisaLetters(v)
	if len(fields) != 1 || fields[0].Field != "visa_letters.translations.de" {
		t.Errorf("errors %+v, want one on the German texts", fields)
	}
	if _, kept := v.Translations["en"]; kept {
		t.Error("an empty language's texts are kept")
	}
	ru, en := v.In("ru"), v.In("en")
	if ru.HostName != "Академия" || ru.SignatoryTitle != "Ректор" || ru.HostAddress != "Tashkent" || ru.SignatoryName != "Alisher Karimov" {
		t.Errorf("in Russian %+v, want the Russian host and title and the rest as given", ru)
	}
	if en.HostName != "Academy" || en.SignatoryTitle != "Rector" || v.HostName != "Academy" {
		t.Errorf("in English %+v (the settings %+v), want the settings' own", en, v)
	}
}
