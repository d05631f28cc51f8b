package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/i18n"
	"github.com/attend/attend/store"
)

// bom makes Excel read the file as UTF-8, so Cyrillic and Uzbek names show
// as typed.
const bom = "\uFEFF"

// CSV writes an attendee list as RFC 4180 CSV: UTF-8 with a byte-order
// mark, CRLF line ends, times in RFC 3339 in the event's time zone.
type CSV struct {
	w    *csv.Writer
	cols []column
	loc  *time.Location
	days []domain.Date
	l    *i18n.Localizer
	rec  []string
}

// NewCSV writes the byte-order mark and the header row for ev to w. Headers
// and country names are in l's language.
func NewCSV(w io.Writer, ev *domain.Event, l *i18n.Localizer) (*CSV, error) {
	if _, err := io.WriteString(w, bom); err != nil {
		return nil, fmt.Errorf("export: csv: %w", err)
	}
	c := &CSV{w: csv.NewWriter(w), cols: columnsOf(ev, l), loc: ev.Location(), days: ev.Days(), l: l}
	c.w.UseCRLF = true
	if err := c.w.Write(Headers(l, ev)); err != nil {
		return nil, fmt.Errorf("export: csv header: %w", err)
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return nil, fmt.Errorf("export: csv header: %w", err)
	}
	c.rec = make([]string, len(c.cols)+len(c.days))
	return c, nil
}

// Write writes a batch of rows and flushes them to the underlying writer.
func (c *CSV) Write(batch []store.Attendee) error {
	for i := range batch {
		a := &batch[i]
		for j := range c.cols {
			col := &c.cols[j]
			if col.at != nil {
				c.rec[j] = c.timeText(col.at(a))
			} else {
				c.rec[j] = col.cellText(a, c.l)
			}
		}
		for j, d := range c.days {
			c.rec[len(c.cols)+j] = c.timeText(checkinAt(a, d))
		}
		if err := c.w.Write(c.rec); err != nil {
			return fmt.Errorf("export: csv row: %w", err)
		}
	}
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("export: csv: %w", err)
	}
	return nil
}

func (c *CSV) timeText(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(c.loc).Format(time.RFC3339)
}
