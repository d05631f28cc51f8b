// Package export writes an event's attendee list as a file: CSV, which
// streams, and XLSX, a workbook built in temporary files and written at the
// end. Writer is the one loop from registrations to rows, with the list's
// columns in the language asked; each format implements Format (Header,
// Row, Flush, Close) and nothing more, so a new format is one more
// implementation, not one more loop. Export reads the rows from the store
// a batch at a time, so an export of any size keeps memory flat.
//
// Every cell whose text a participant typed (names, email, phone,
// organization, position) goes through Neutralize whatever the format, so
// a spreadsheet never reads it as a formula (OWASP "CSV injection").
package export

import "strings"

// Neutralize makes a participant's text safe to put in a spreadsheet cell.
// A value whose first character would start a formula or a DDE payload
// (=, +, -, @, tab, carriage return, line feed, NUL), also after leading
// spaces, gets a leading apostrophe, which spreadsheets show as text. Other
// values are returned unchanged.
//
// Phone numbers are neutralized too: they are E.164 ("+998…"), and a bare
// leading + makes Excel evaluate the cell and show 9.98712E+11. With the
// apostrophe the digits survive intact, at the cost of a visible ' in
// the CSV; the rule stays the same for every user cell, which is simpler to
// trust than a per-column exception.
func Neutralize(s string) string {
	if dangerous(strings.TrimLeft(s, " ")) {
		return "'" + s
	}
	return s
}

func dangerous(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\n', 0:
		return true
	}
	return false
}
