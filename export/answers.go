package export

import (
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/store"
)

// answersSheet adds the Answers sheet: for each question answered by
// choosing, how many registrations chose each option ("Vegetarian: 7"),
// question and option named in the export's language.
func (x *XLSX) answersSheet(name string, counts []store.QuestionCounts) error {
	sw, err := x.streamSheet(name)
	if err != nil {
		return err
	}
	headers := []string{x.l.T("export.col.question", nil), x.l.T("export.col.answer", nil), x.l.T("export.col.count", nil)}
	var rows [][]any
	questionWidth, answerWidth := 0.0, 0.0
	var (
		questions domain.Questions
		languages []string
	)
	if ev := x.opts.Event; ev != nil {
		questions, languages = ev.Questions, ev.Languages
	}
	for _, qc := range counts {
		q, known := questions.Find(qc.Key)
		label := qc.Label
		if known {
			label = x.l.Text(q.Label, languages)
		}
		for _, o := range qc.Options {
			answer := o.Label
			if known {
				var v any = o.Value
				if q.Type == domain.QuestionYesNo {
					v = o.Value == "yes"
				}
				answer = x.l.Answer(q, v, languages)
			}
			questionWidth, answerWidth = max(questionWidth, textWidth(label)), max(answerWidth, textWidth(answer))
			rows = append(rows, []any{Neutralize(label), Neutralize(answer), o.Count})
		}
	}
	widths := []float64{fitWidth(headers[0], questionWidth, 40), fitWidth(headers[1], answerWidth, 40), fitWidth(headers[2], 6, 0)}
	styles := []int{x.style.text, x.style.text, x.style.number}
	for i := len(headers) - 1; i >= 0; i-- { // see begin
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return err
		}
		if err := sw.SetColStyle(i+1, i+1, styles[i]); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	head := x.headerCells(headers)
	head[2] = excelize.Cell{StyleID: x.style.headerNum, Value: headers[2]}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for i, cells := range rows {
		lines := max(wrappedLines(cells[0].(string), widths[0]), wrappedLines(cells[1].(string), widths[1]))
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), cells, excelize.RowOpts{Height: rowHeight(lines)}); err != nil {
			return err
		}
	}
	return sw.Flush()
}
