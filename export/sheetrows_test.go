package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/export"
	"github.com/attend/attend/store"
)

// The attendee rows are encoded by the export itself, not by excelize's
// stream writer: a spreadsheet must read every value back as excelize's
// own cells would give it, text that XML or a spreadsheet would change
// (markup, edge spaces, control characters, _xHHHH_ escapes, bad UTF-8,
// text over a cell's limit) and date-times alike.
func TestXLSXRowsReadBackAsExcelizeWritesThem(t *testing.T) {
	texts := []string{
		"Centre for Economic Research", "a<b>&c\"d'e", "  two spaces before", "a space after ", "tab after\t",
		"line one\nline two", "carriage\r\nreturn", "bell\x07 and nul\x00 inside", "_x0041_ reads A in Excel",
		"_x005F_ and _x005f_x0042_", "_x12", "bad \xff UTF-8", "not a character \uFFFE\uFFFF", "replacement \uFFFD kept",
		"emoji 😀 and ʻ", "Дилноза Oʻktamova", "\u0085 next line", strings.Repeat("я", 40_000),
		strings.Repeat("😀", 20_000),
	}
	base := time.Date(2019, time.May, 15, 5, 0, 0, 0, time.UTC)
	times := []time.Time{base, base.Add(123456789 * time.Nanosecond), base.Add(13*time.Hour + 59*time.Minute + 59*time.Second),
		time.Date(2019, time.May, 14, 19, 0, 0, 0, time.UTC), time.Date(1900, time.March, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600))}
	ev := workshop()
	loc := ev.Location()
	var rows []store.Attendee
	for i := range max(len(texts), len(times)) {
		a := store.Attendee{Registration: &domain.Registration{ID: "r", Status: domain.StatusConfirmed, CreatedAt: base}}
		if i < len(texts) {
			a.Organization = texts[i]
		}
		if i < len(times) {
			a.CreatedAt = times[i]
		}
		rows = append(rows, a)
	}

	// What excelize writes for the same values.
	want := excelize.NewFile()
	defer want.Close()
	sw, err := want.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, []any{export.Neutralize(a.Organization), a.CreatedAt.In(loc)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := want.Write(&buf); err != nil {
		t.Fatal(err)
	}
	ref, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()

	f := workbook(t, "en", rows)
	sheet := f.GetSheetName(0)
	raw := excelize.Options{RawCellValue: true}
	for i := range rows {
		wantText, _ := ref.GetCellValue("Sheet1", cellName(1, i+1), raw)
		wantTime, _ := ref.GetCellValue("Sheet1", cellName(2, i+1), raw)
		if got, err := f.GetCellValue(sheet, cellName(13, i+2), raw); err != nil || got != wantText {
			t.Errorf("row %d: organization %.60q (%v), want %.60q as excelize writes it", i+2, got, err, wantText)
		}
		if got, err := f.GetCellValue(sheet, cellName(17, i+2), raw); err != nil || got != wantTime {
			t.Errorf("row %d: registered %q (%v), want %q as excelize writes it", i+2, got, err, wantTime)
		}
	}
}

func cellName(col, row int) string {
	name, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		panic(err)
	}
	return name
}

// A workbook leaves no temporary file behind, written or given up.
func TestXLSXRemovesItsTemporaryFiles(t *testing.T) {
	for _, discard := range []bool{false, true} {
		dir := t.TempDir()
		t.Setenv("TMPDIR", dir)
		x, err := export.NewXLSX(&bytes.Buffer{}, localizer(t, "en"), export.XLSXOptions{Summary: func() (*store.Stats, error) { return workshopStats(), nil }})
		if err != nil {
			t.Fatal(err)
		}
		w := export.NewWriter(x, workshop(), localizer(t, "en"))
		if err := w.Write(attendees()); err != nil {
			t.Fatal(err)
		}
		if err := w.Write(attendees()); err != nil {
			t.Fatal(err)
		}
		if files, _ := os.ReadDir(dir); len(files) == 0 {
			t.Errorf("no temporary file while the rows are written: are they held in memory?")
		}
		if discard {
			w.Discard()
		} else if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if files, _ := os.ReadDir(dir); len(files) > 0 {
			t.Errorf("discard %v: %d files left behind, %s…", discard, len(files), files[0].Name())
		}
	}
}

// The attendee sheet's entry is deflated in pieces and spliced: every
// entry of the workbook must read whole, its CRC checked, and the sheet
// be well-formed XML, with the version fields the other entries have.
func TestXLSXZipEntriesReadWhole(t *testing.T) {
	rows := attendees()
	for range 12 { // several deflate blocks
		rows = append(rows, rows...)
	}
	xlsx := workbookFile(t, "en", rows)
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		content, err := io.ReadAll(rc) // checks the CRC-32 at the end
		rc.Close()
		if err != nil {
			t.Errorf("%s: %v", zf.Name, err)
			continue
		}
		if zf.ReaderVersion != 20 || zf.CreatorVersion != 20 || zf.Method != zip.Deflate {
			t.Errorf("%s: version %d, creator %d, method %d; want 20, 20, deflate", zf.Name, zf.ReaderVersion, zf.CreatorVersion, zf.Method)
		}
		if zf.Name != "xl/worksheets/sheet1.xml" {
			continue
		}
		found = true
		if n := bytes.Count(content, []byte("<row ")); n != len(rows)+1 {
			t.Errorf("attendee sheet has %d rows, want %d", n, len(rows)+1)
		}
		d := xml.NewDecoder(bytes.NewReader(content))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("attendee sheet: %v", err)
			}
		}
	}
	if !found {
		t.Fatal("no attendee sheet")
	}
}
