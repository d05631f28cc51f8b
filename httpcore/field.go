package httpcore

import "strings"

// DescribedBy is a form field's aria-describedby: the id of its hint and of
// its error, each only when that text is shown, so a screen reader reads
// nothing that is not on the page.
func DescribedBy(hint, hintID, errText, errorID string) string {
	var ids []string
	if hint != "" {
		ids = append(ids, hintID)
	}
	if errText != "" {
		ids = append(ids, errorID)
	}
	return strings.Join(ids, " ")
}
