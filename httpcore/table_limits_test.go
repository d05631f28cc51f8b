package httpcore_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/httpcore"
)

// withPart is an XLSX workbook with one more part of size bytes of zeros:
// a few kilobytes that unpack to size.
func withPart(t *testing.T, workbook []byte, name string, size int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(workbook), int64(len(workbook)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(w, io.LimitReader(zeros{}, int64(size))); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestReadTableRefusesAnXLSXThatUnpacksBeyondItsBound(t *testing.T) {
	people := xlsxOf(t, [][]string{{"email"}, {"aigerim@example.kz"}})
	const maxBytes = 256 << 10 // parts may unpack to 16 × 256 KB = 4 MB
	for _, tc := range []struct {
		name string
		data []byte
		want string // the first invitee's email, or the field error's code
	}{
		{"a workbook with a 1 MB part", withPart(t, people, "xl/media/logo.bin", 1<<20), "aigerim@example.kz"},
		{"a workbook with a 64 MB part of zeros", withPart(t, people, "xl/media/bomb.bin", 64<<20), "xlsx_size"},
		{"a workbook whose sheet unpacks to 64 MB", withPart(t, people, "xl/worksheets/sheet2.xml", 64<<20), "xlsx_size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.data) > 200<<10 {
				t.Fatalf("the crafted file is %d bytes; it should be small", len(tc.data))
			}
			records, err := httpcore.ReadTable(tc.data, "file", 10, maxBytes)
			var e *domain.Error
			switch {
			case err == nil && len(records) == 2 && records[1][0] == tc.want:
			case errors.As(err, &e) && len(e.Fields) == 1 && e.Fields[0].Code == tc.want && e.Fields[0].Field == "file":
			default:
				t.Fatalf("ReadTable = %q, %v; want %s", records, err, tc.want)
			}
		})
	}
}
