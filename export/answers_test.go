package export_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/store"
)

// questionWorkshop asks for dietary needs and sessions; a question on
// accommodation and the halal option were removed after people answered.
func questionWorkshop(t *testing.T) *domain.Event {
	t.Helper()
	ev := workshop()
	ev.Languages = []string{"en", "ru"}
	label := func(en, ru string) map[string]string { return map[string]string{"en": en, "ru": ru} }
	asked := []domain.QuestionInput{
		{Key: "diet", Type: "single_choice", Label: label("Dietary needs", "Питание"), Options: []domain.OptionInput{
			{Value: "vegetarian", Label: label("Vegetarian", "Вегетарианское")},
			{Value: "halal", Label: label("Halal", "Халяль")}}},
		{Key: "sessions", Type: "multiple_choice", Label: label("Sessions", "Секции"), Options: []domain.OptionInput{
			{Value: "open_data", Label: label("Open data", "Открытые данные")},
			{Value: "services", Label: label("Services", "Услуги")}}},
		{Key: "hotel", Type: "text", Label: label("Hotel", "Гостиница")},
	}
	qs, fields := domain.SetQuestions(nil, asked)
	if len(fields) > 0 {
		t.Fatal(fields)
	}
	asked[0].Options = asked[0].Options[:1]
	if qs, fields = domain.SetQuestions(qs, asked[:2]); len(fields) > 0 {
		t.Fatal(fields)
	}
	ev.Questions = qs
	return ev
}

func answeringAttendees() []store.Attendee {
	rows := attendees()
	rows[0].Answers = domain.Answers{"diet": "halal", "sessions": []string{"open_data", "services"}, "hotel": "Hyatt Regency"}
	rows[1].Answers = domain.Answers{"diet": "vegetarian", "hotel": "=cmd|' /C calc'!A0"}
	return rows
}

func TestExportsHaveAColumnPerQuestion(t *testing.T) {
	ev := questionWorkshop(t)
	records := csvRecords(t, "ru", ev, answeringAttendees())
	i := slices.Index(records[0], "Питание")
	if i < 0 || records[0][i+1] != "Секции" || records[0][i+2] != "Гостиница" || records[0][i+3] != "2019-05-30" {
		t.Fatalf("CSV headers %q, want a column per question (the removed one too) before the days", records[0])
	}
	want := [][]string{
		{"Халяль", "Открытые данные; Услуги", "Hyatt Regency"},
		{"Вегетарианское", "", "'=cmd|' /C calc'!A0"},
	}
	for r, row := range want {
		if got := records[r+1][i : i+3]; !slices.Equal(got, row) {
			t.Errorf("CSV row %d answers %q, want %q", r+1, got, row)
		}
	}

	st := workshopStats()
	st.ByDelegation = []store.DelegationStats{
		{Delegation: "OECD", Name: "OECD", Counts: st.ByCountry[0].Counts},
		{Delegation: "UZ", Name: "Uzbekistan", Counts: st.ByCountry[1].Counts},
	}
	st.Answers = []store.QuestionCounts{
		{Key: "diet", Label: "Dietary needs", Options: []store.OptionCount{{Value: "vegetarian", Label: "Vegetarian", Count: 1},
			{Value: "halal", Label: "Halal", Removed: true, Count: 1}}},
		{Key: "sessions", Label: "Sessions", Options: []store.OptionCount{{Value: "open_data", Label: "Open data", Count: 1},
			{Value: "services", Label: "Services", Count: 1}}},
	}
	f := openWorkbook(t, "ru", ev, export.XLSXOptions{Event: ev,
		Summary: func() (*store.Stats, error) { return st, nil }}, answeringAttendees())
	if got := strings.Join(f.GetSheetList(), "|"); got != "Участники|По странам|По делегациям|Ответы" {
		t.Fatalf("sheets %q", got)
	}
	rows, err := f.GetRows("Участники")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], records[0]) || rows[1][i+1] != "Открытые данные; Услуги" {
		t.Errorf("XLSX attendees %q, want the CSV's columns", rows[:2])
	}
	delegations, err := f.GetRows("По делегациям")
	if err != nil {
		t.Fatal(err)
	}
	if delegations[0][0] != "Код делегации" || delegations[1][0] != "OECD" || delegations[1][1] != "ОЭСР" || delegations[2][1] != "Узбекистан" {
		t.Errorf("by delegation %q", delegations)
	}
	answers, err := f.GetRows("Ответы")
	if err != nil {
		t.Fatal(err)
	}
	wantAnswers := [][]string{
		{"Вопрос", "Ответ", "Зарегистрировано"},
		{"Питание", "Вегетарианское", "1"},
		{"Питание", "Халяль", "1"},
		{"Секции", "Открытые данные", "1"},
		{"Секции", "Услуги", "1"},
	}
	if len(answers) != len(wantAnswers) {
		t.Fatalf("answers sheet %q", answers)
	}
	for r := range wantAnswers {
		if !slices.Equal(answers[r], wantAnswers[r]) {
			t.Errorf("answers row %d = %q, want %q", r+1, answers[r], wantAnswers[r])
		}
	}
}

// A question's label is an organizer's text, and heads a column: in CSV
// it is neutralized as answers are; in XLSX it is a string cell, never a
// formula.
func TestQuestionLabelsCannotStartAFormula(t *testing.T) {
	ev := workshop()
	ev.Languages = []string{"en"}
	qs, fields := domain.SetQuestions(nil, []domain.QuestionInput{
		{Key: "sum", Type: "text", Label: map[string]string{"en": "=SUM(1)"}},
		{Key: "dde", Type: "text", Label: map[string]string{"en": "@cmd"}},
	})
	if len(fields) > 0 {
		t.Fatal(fields)
	}
	ev.Questions = qs

	records := csvRecords(t, "en", ev, attendees())
	i := slices.Index(records[0], "Check-in code") + 1
	if got := records[0][i : i+2]; !slices.Equal(got, []string{"'=SUM(1)", "'@cmd"}) {
		t.Errorf("CSV question headings %q, want them neutralized", got)
	}

	f := openWorkbook(t, "en", ev, export.XLSXOptions{Event: ev,
		Summary: func() (*store.Stats, error) { return workshopStats(), nil }}, attendees())
	sheet := f.GetSheetName(0)
	for j, want := range []string{"=SUM(1)", "@cmd"} {
		cell, err := excelize.CoordinatesToCellName(i+j+1, 1)
		if err != nil {
			t.Fatal(err)
		}
		value, _ := f.GetCellValue(sheet, cell)
		formula, _ := f.GetCellFormula(sheet, cell)
		if value != want || formula != "" {
			t.Errorf("XLSX heading %s = %q, formula %q; want the label as text", cell, value, formula)
		}
	}
}
