package httpcore_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// xlsxOf is a workbook whose first sheet holds rows.
func xlsxOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadTableReadsCSVAndXLSXAndRefusesTheRest(t *testing.T) {
	people := [][]string{{"Фамилия", "E-mail", "Shoe size", "Имя"}, {"Bekova", "aigerim@example.kz", "38", "Aigerim"}}
	for _, tc := range []struct {
		name    string
		data    []byte
		maxRows int
		want    string // the invitee's email, or the field error's code
	}{
		{"a CSV with commas", []byte("Фамилия,E-mail,Shoe size,Имя\nBekova,aigerim@example.kz,38,Aigerim\n"), 10, "aigerim@example.kz"},
		{"a CSV with semicolons and a byte order mark", []byte("\ufeffФамилия;E-mail;Shoe size;Имя\r\nBekova;aigerim@example.kz;38;Aigerim\r\n"), 10, "aigerim@example.kz"},
		{"an XLSX workbook", xlsxOf(t, people), 10, "aigerim@example.kz"},
		{"text that is not UTF-8", []byte("email\n\xff\xfe@example.kz\n"), 10, "encoding"},
		{"a broken XLSX", append([]byte("PK\x03\x04"), "garbage"...), 10, "file"},
		{"too many rows", []byte("email\na@example.kz\nb@example.kz\nc@example.kz\n"), 2, "max"},
		{"no email column", []byte("name\nAigerim\n"), 10, "email_column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			records, err := httpcore.ReadTable(tc.data, "file", tc.maxRows, 1<<20)
			var rows []domain.InviteeInput
			if err == nil {
				rows, err = domain.InviteesFromRecords(records)
			}
			if err != nil {
				e, ok := domain.AsError(err)
				if !ok || e.Code != domain.EInvalid || len(e.Fields) != 1 || e.Fields[0].Code != tc.want {
					t.Fatalf("error %v, want a validation error %q", err, tc.want)
				}
				return
			}
			if len(rows) != 1 || rows[0].Email != tc.want || rows[0].FirstName != "Aigerim" || rows[0].LastName != "Bekova" {
				t.Fatalf("rows %+v, want %s (Aigerim Bekova)", rows, tc.want)
			}
		})
	}
}

// Rows keep the numbers the spreadsheet shows (the header is row 1, blank
// rows count), whatever the file's kind and separator, so that a preview's
// "row 5" is the fifth row of the file.
func TestImportRowsKeepTheSpreadsheetsNumbers(t *testing.T) {
	people := [][]string{{"email", "first_name"}, {"a@example.kz", "Aigerim"}, {}, {}, {"b@example.uz", "Rustam"}}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"a CSV with blank lines", []byte("email,first_name\na@example.kz,Aigerim\n\n\nb@example.uz,Rustam\n")},
		{"a tab-separated file with blank lines", []byte("email\tfirst_name\r\na@example.kz\tAigerim\r\n\r\n\r\nb@example.uz\tRustam\r\n")},
		{"a CSV with a line break in a quoted cell", []byte("email,first_name\na@example.kz,\"Ai\ngerim\"\n\nb@example.uz,Rustam\n")},
		{"an XLSX workbook with blank rows", xlsxOf(t, people)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			records, err := httpcore.ReadTable(tc.data, "file", 10, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := domain.InviteesFromRecords(records)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].Row != 2 || rows[1].Row != 5 || rows[1].Email != "b@example.uz" || rows[1].FirstName != "Rustam" {
				t.Fatalf("rows %+v, want a@ at row 2 and b@ (Rustam) at row 5", rows)
			}
			checks := domain.NewRules().CheckInvitees(&domain.Event{Languages: []string{"en"}}, rows)
			if checks[1].Row != 5 {
				t.Errorf("the preview numbers the second person %d, want 5", checks[1].Row)
			}
		})
	}
}
