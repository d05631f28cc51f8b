package httpcore

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
)

// xlsxUnzipFactor is how many times its upload limit an XLSX file may
// unpack to: ordinary workbooks compress five to ten times.
const xlsxUnzipFactor = 16

// xlsxMagic starts every XLSX file (a ZIP archive).
var xlsxMagic = []byte("PK\x03\x04")

// ReadTable reads an uploaded list of people, CSV (comma, semicolon or
// tab separated, as spreadsheets save it, UTF-8) or XLSX (its first sheet),
// into records, the header first, one per line of the file: blank lines
// are kept as empty records, so that record i is the spreadsheet's row
// i+1, as the person who made it numbers its rows. More than maxRows data rows, or a file
// that is neither, is a validation error of field, never a crash. An XLSX
// file is a ZIP archive whose parts may inflate a thousandfold: they may
// unpack to at most xlsxUnzipFactor × maxBytes in all and maxBytes each
// held in memory (a larger sheet is read from a temporary file), so that a
// small crafted file is refused rather than exhausting memory.
func ReadTable(data []byte, field string, maxRows int, maxBytes int64) ([][]string, error) {
	bad := func(code, msg string) error {
		return &domain.Error{Code: domain.EInvalid, Message: msg,
			Fields: []domain.FieldError{{Field: field, Code: code, Message: msg}}}
	}
	tooLong := func() error {
		msg := fmt.Sprintf("The file has more than %d rows.", maxRows)
		return &domain.Error{Code: domain.EInvalid, Message: msg,
			Fields: []domain.FieldError{{Field: field, Code: "max", Param: strconv.Itoa(maxRows), Message: msg}}}
	}
	var records [][]string
	if bytes.HasPrefix(data, xlsxMagic) {
		f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
			UnzipSizeLimit: xlsxUnzipFactor * maxBytes, UnzipXMLSizeLimit: maxBytes})
		if err != nil {
			if strings.Contains(err.Error(), "unzip size") {
				return nil, bad("xlsx_size", fmt.Sprintf("The XLSX file unpacks to more than %d bytes.", xlsxUnzipFactor*maxBytes))
			}
			return nil, bad("file", "The file could not be read as XLSX.")
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, bad("file", "The file has no sheet.")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			return nil, bad("file", "The file could not be read as XLSX.")
		}
		defer rows.Close()
		for rows.Next() {
			if len(records) > maxRows {
				return nil, tooLong()
			}
			cols, err := rows.Columns()
			if err != nil {
				return nil, bad("file", "The file could not be read as XLSX.")
			}
			records = append(records, cols)
		}
	} else {
		if !utf8.Valid(data) {
			return nil, bad("encoding", "The file must be saved as UTF-8 text.")
		}
		text := strings.TrimPrefix(string(data), "\ufeff")
		r := csv.NewReader(strings.NewReader(text))
		r.FieldsPerRecord = -1
		r.Comma = delimiter(text)
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, bad("csv", "The file is not valid CSV: "+err.Error())
			}
			if len(records) > maxRows {
				return nil, tooLong()
			}
			// The reader skips blank lines: they are put back, so that
			// the rows keep their numbers.
			line, _ := r.FieldPos(0)
			for len(records) < line-1 && len(records) <= maxRows {
				records = append(records, nil)
			}
			records = append(records, rec)
		}
	}
	for _, rec := range records {
		for _, cell := range rec {
			if !utf8.ValidString(cell) {
				return nil, bad("encoding", "The file must be saved as UTF-8 text.")
			}
		}
	}
	return records, nil
}

// delimiter is the separator of a CSV file's header line: the most frequent
// of comma, semicolon (spreadsheets in locales with a decimal comma) and
// tab (text copied from a spreadsheet); comma when none is there.
func delimiter(text string) rune {
	first, _, _ := strings.Cut(text, "\n")
	best, count := ',', strings.Count(first, ",")
	for _, d := range []rune{';', '\t'} {
		if n := strings.Count(first, string(d)); n > count {
			best, count = d, n
		}
	}
	return best
}
