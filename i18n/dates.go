// Package i18n formats dates for people in the languages attend writes to
// them: English (en), Russian (ru) and Uzbek in Latin script (uz).
//
// The month and weekday names are written out by hand rather than pulled
// from a CLDR library: three languages need only a few dozen words, and the
// forms here follow CLDR where it matters (Russian genitive month names,
// "г." after the year) while Uzbek uses the "2019-yil 30-may" style that
// Uzbek readers expect in official letters.
//
// Every function reads only the calendar fields of its time.Time arguments
// (t.Date() and, for weekdays, t.Weekday()) in the location they carry, so
// civil dates stored as midnight UTC come out unchanged. An unknown language
// is formatted as English.
package i18n

import (
	"fmt"
	"strings"
	"time"
)

// rangeDash separates the two ends of a range. An en dash is the correct
// range mark in all three languages.
const rangeDash = "–"

// monthName is the month as it stands after a day number: genitive in
// Russian ("мая"), lower case in Uzbek ("may").
func monthName(lang string, m time.Month) string {
	switch lang {
	case "ru":
		return [...]string{"января", "февраля", "марта", "апреля", "мая", "июня",
			"июля", "августа", "сентября", "октября", "ноября", "декабря"}[m-1]
	case "uz":
		return [...]string{"yanvar", "fevral", "mart", "aprel", "may", "iyun",
			"iyul", "avgust", "sentabr", "oktabr", "noyabr", "dekabr"}[m-1]
	}
	return [...]string{"January", "February", "March", "April", "May", "June",
		"July", "August", "September", "October", "November", "December"}[m-1]
}

// weekdayName is the day of the week in lang, lower case where the language
// writes it so.
func weekdayName(lang string, wd time.Weekday) string {
	switch lang {
	case "ru":
		return [...]string{"воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"}[wd]
	case "uz":
		return [...]string{"yakshanba", "dushanba", "seshanba", "chorshanba", "payshanba", "juma", "shanba"}[wd]
	}
	return [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}[wd]
}

// Language returns the base language of a tag such as "ru-RU" or "uz_Latn"
// in lower case, or "en" when it is not one of en, ru, uz.
func Language(tag string) string {
	base := strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(base, "-_"); i >= 0 {
		base = base[:i]
	}
	switch base {
	case "en", "ru", "uz":
		return base
	}
	return "en"
}

// FormatDate writes one calendar date the way a letter in lang would:
// "30 May 2019", "30 мая 2019 г.", "2019-yil 30-may".
func FormatDate(lang string, d time.Time) string {
	y, m, day := d.Date()
	switch Language(lang) {
	case "ru":
		return fmt.Sprintf("%d %s %d г.", day, monthName("ru", m), y)
	case "uz":
		return fmt.Sprintf("%d-yil %d-%s", y, day, monthName("uz", m))
	}
	return fmt.Sprintf("%d %s %d", day, monthName("en", m), y)
}

// FormatDayMonth writes a date without its year, where the year goes
// without saying (the days of an event in a table about it): "30 May",
// "30 мая", "30-may".
func FormatDayMonth(lang string, d time.Time) string {
	_, m, day := d.Date()
	lang = Language(lang)
	if lang == "uz" {
		return fmt.Sprintf("%d-%s", day, monthName(lang, m))
	}
	return fmt.Sprintf("%d %s", day, monthName(lang, m))
}

// FormatDateWithWeekday is FormatDate with the day of the week, for lists of
// attendance days where the weekday helps people plan:
// "Thursday, 30 May 2019", "четверг, 30 мая 2019 г.", "2019-yil 30-may, payshanba".
func FormatDateWithWeekday(lang string, d time.Time) string {
	wd := d.Weekday()
	switch Language(lang) {
	case "ru":
		return weekdayName("ru", wd) + ", " + FormatDate("ru", d)
	case "uz":
		return FormatDate("uz", d) + ", " + weekdayName("uz", wd)
	}
	return weekdayName("en", wd) + ", " + FormatDate("en", d)
}

// FormatDateRange writes the inclusive range start..end as compactly as the
// language allows, repeating the month and year only when they change:
//
//	en: "30–31 May 2019", "30 May – 2 June 2019", "30 December 2019 – 2 January 2020"
//	ru: "30–31 мая 2019 г.", "30 мая – 2 июня 2019 г.", "30 декабря 2019 г. – 2 января 2020 г."
//	uz: "2019-yil 30–31-may", "2019-yil 30-may – 2-iyun", "2019-yil 30-dekabr – 2020-yil 2-yanvar"
//
// A range whose ends fall on the same day is written as that one date. The
// ends are not reordered: callers pass a valid range.
func FormatDateRange(lang string, start, end time.Time) string {
	y1, m1, d1 := start.Date()
	y2, m2, d2 := end.Date()
	lang = Language(lang)
	switch {
	case y1 == y2 && m1 == m2 && d1 == d2:
		return FormatDate(lang, start)
	case y1 != y2:
		return FormatDate(lang, start) + " " + rangeDash + " " + FormatDate(lang, end)
	}
	sameMonth := m1 == m2
	switch lang {
	case "ru":
		if sameMonth {
			return fmt.Sprintf("%d%s%d %s %d г.", d1, rangeDash, d2, monthName("ru", m2), y2)
		}
		return fmt.Sprintf("%d %s %s %d %s %d г.", d1, monthName("ru", m1), rangeDash, d2, monthName("ru", m2), y2)
	case "uz":
		if sameMonth {
			return fmt.Sprintf("%d-yil %d%s%d-%s", y1, d1, rangeDash, d2, monthName("uz", m2))
		}
		return fmt.Sprintf("%d-yil %d-%s %s %d-%s", y1, d1, monthName("uz", m1), rangeDash, d2, monthName("uz", m2))
	}
	if sameMonth {
		return fmt.Sprintf("%d%s%d %s %d", d1, rangeDash, d2, monthName("en", m2), y2)
	}
	return fmt.Sprintf("%d %s %s %d %s %d", d1, monthName("en", m1), rangeDash, d2, monthName("en", m2), y2)
}
