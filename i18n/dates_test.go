package i18n

import (
	"testing"
	"time"
)

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func TestFormatDateRange(t *testing.T) {
	tests := []struct {
		name       string
		lang       string
		start, end time.Time
		want       string
	}{
		{"English days within one month share month and year", "en", date(2019, 5, 30), date(2019, 5, 31), "30–31 May 2019"},
		{"English range across months repeats the month", "en", date(2019, 5, 30), date(2019, 6, 2), "30 May – 2 June 2019"},
		{"English range across years repeats everything", "en", date(2019, 12, 30), date(2020, 1, 2), "30 December 2019 – 2 January 2020"},
		{"English single day is one date", "en", date(2019, 5, 30), date(2019, 5, 30), "30 May 2019"},
		{"Russian uses the genitive month and г.", "ru", date(2019, 5, 30), date(2019, 5, 31), "30–31 мая 2019 г."},
		{"Russian range across months", "ru", date(2019, 5, 30), date(2019, 6, 2), "30 мая – 2 июня 2019 г."},
		{"Russian range across years", "ru", date(2019, 12, 30), date(2020, 1, 2), "30 декабря 2019 г. – 2 января 2020 г."},
		{"Russian single day", "ru", date(2019, 3, 8), date(2019, 3, 8), "8 марта 2019 г."},
		{"Uzbek puts the year first", "uz", date(2019, 5, 30), date(2019, 5, 31), "2019-yil 30–31-may"},
		{"Uzbek range across months", "uz", date(2019, 5, 30), date(2019, 6, 2), "2019-yil 30-may – 2-iyun"},
		{"Uzbek range across years", "uz", date(2019, 12, 30), date(2020, 1, 2), "2019-yil 30-dekabr – 2020-yil 2-yanvar"},
		{"Uzbek single day", "uz", date(2019, 9, 1), date(2019, 9, 1), "2019-yil 1-sentabr"},
		{"a regional tag uses its base language", "ru-RU", date(2019, 5, 30), date(2019, 5, 31), "30–31 мая 2019 г."},
		{"an unknown language falls back to English", "de", date(2019, 5, 30), date(2019, 5, 31), "30–31 May 2019"},
		{"the same day counts even at different times of day", "en", date(2019, 5, 30), date(2019, 5, 30).Add(18 * time.Hour), "30 May 2019"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatDateRange(tt.lang, tt.start, tt.end); got != tt.want {
				t.Errorf("FormatDateRange(%q, %s, %s) = %q, want %q",
					tt.lang, tt.start.Format(time.DateOnly), tt.end.Format(time.DateOnly), got, tt.want)
			}
		})
	}
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		lang string
		d    time.Time
		want string
	}{
		{"en", date(2019, 1, 1), "1 January 2019"},
		{"ru", date(2019, 2, 14), "14 февраля 2019 г."},
		{"ru", date(2019, 8, 31), "31 августа 2019 г."},
		{"uz", date(2019, 10, 12), "2019-yil 12-oktabr"},
		{"uz", date(2019, 11, 5), "2019-yil 5-noyabr"},
		{"", date(2019, 4, 9), "9 April 2019"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.want, func(t *testing.T) {
			if got := FormatDate(tt.lang, tt.d); got != tt.want {
				t.Errorf("FormatDate(%q) = %q, want %q", tt.lang, got, tt.want)
			}
		})
	}
}

func TestFormatDateWithWeekday(t *testing.T) {
	tests := []struct {
		lang, want string
	}{
		{"en", "Thursday, 30 May 2019"},
		{"ru", "четверг, 30 мая 2019 г."},
		{"uz", "2019-yil 30-may, payshanba"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			if got := FormatDateWithWeekday(tt.lang, date(2019, 5, 30)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFormatDateReadsTheCalendarDateInItsOwnLocation(t *testing.T) {
	tashkent := time.FixedZone("UTC+5", 5*3600)
	// 01:30 on 31 May in Tashkent is still 30 May in UTC; the function must
	// not convert to UTC first.
	d := time.Date(2019, 5, 31, 1, 30, 0, 0, tashkent)
	if got, want := FormatDate("en", d), "31 May 2019"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestLanguage(t *testing.T) {
	tests := map[string]string{
		"en": "en", "RU": "ru", "uz_Latn": "uz", "uz-UZ": "uz", " ru ": "ru", "kk": "en", "": "en",
	}
	for in, want := range tests {
		if got := Language(in); got != want {
			t.Errorf("Language(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatDayMonth(t *testing.T) {
	for lang, want := range map[string]string{"en": "30 May", "ru": "30 мая", "uz": "30-may", "de": "30 May"} {
		if got := FormatDayMonth(lang, date(2019, 5, 30)); got != want {
			t.Errorf("FormatDayMonth(%q) = %q, want %q", lang, got, want)
		}
	}
}
