package api_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// exportAs downloads the workshop's attendee list with extra request
// headers (name, value pairs).
func (d *deskAPI) exportAs(query string, headers ...string) *httptest.ResponseRecorder {
	d.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/events/"+d.ev.Slug+"/registrations/export"+query, nil)
	req.Header.Set("Authorization", "Bearer "+d.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	d.srv.ServeHTTP(rec, req)
	return rec
}

// An export speaks the language asked for in ?lang=, else the one the
// organizer's dashboard is in, else English; status, role and language
// codes stay codes.
func TestExportInTheLanguageAsked(t *testing.T) {
	t.Parallel()
	d, _ := exportWorkshop(t)
	tests := []struct {
		name    string
		query   string
		headers []string
		lang    string
		first   string // the first data row's First name … Country, Status
	}{
		{"without a language it is English", "?format=csv", nil, "en", "Дилноза|Юсупова|Uzbekistan|confirmed"},
		{"lang=ru is Russian", "?format=csv&lang=ru", nil, "ru", "Дилноза|Юсупова|Узбекистан|confirmed"},
		{"lang=uz is Uzbek", "?lang=UZ", nil, "uz", "Дилноза|Юсупова|Oʻzbekiston|confirmed"},
		{"the dashboard's language cookie decides without lang", "", []string{"Cookie", "lang=ru"}, "ru", "Дилноза|Юсупова|Узбекистан|confirmed"},
		{"then the browser's language", "", []string{"Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5"}, "ru", "Дилноза|Юсупова|Узбекистан|confirmed"},
		{"lang wins over the cookie", "?lang=en", []string{"Cookie", "lang=ru"}, "en", "Дилноза|Юсупова|Uzbekistan|confirmed"},
	}
	headers := map[string]string{"en": "ID|Status|First name|Last name|First name (Latin)", "ru": "ID|Статус|Имя|Фамилия|Имя (латиница)",
		"uz": "ID|Holati|Ism|Familiya|Ism (lotin)"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := d.exportAs(tt.query, tt.headers...)
			records := csvRecords(t, rec)
			if got := strings.Join(records[0][:5], "|"); got != headers[tt.lang] {
				t.Errorf("headers %q, want %q", got, headers[tt.lang])
			}
			row := records[1]
			if got := strings.Join([]string{row[2], row[3], row[9], row[1]}, "|"); got != tt.first {
				t.Errorf("first row %q, want %q", got, tt.first)
			}
			if got := rec.Header().Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language %q, want %q", got, tt.lang)
			}
		})
	}
	t.Run("the workbook is Russian too, By country sheet included", func(t *testing.T) {
		f := openXLSX(t, d.exportAs("?format=xlsx&lang=ru"))
		if got := strings.Join(f.GetSheetList(), "|"); got != "Участники|По странам|По делегациям" {
			t.Fatalf("sheets %q", got)
		}
		rows, err := f.GetRows("По странам")
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(rows[0][:3], "|") + " " + rows[1][1] + " " + rows[len(rows)-1][1]; got != "Код страны|Страна|Зарегистрировано Эстония Всего" {
			t.Errorf("By country reads %q", got)
		}
	})
	t.Run("a language attend does not speak is 422", func(t *testing.T) {
		_, fields := wantProblem(t, d.exportAs("?format=csv&lang=fr"), http.StatusUnprocessableEntity)
		if len(fields) != 1 || fields["lang"] != "oneof" {
			t.Errorf("field errors %v, want lang oneof", fields)
		}
	})
}
