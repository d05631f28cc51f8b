package httpcore

import (
	"context"
	"fmt"

	"github.com/attend/attend/domain"
)

// ImportResult is the answer to an import of invitees, or to its preview:
// every row with its outcome, and how many were (or would be) invited.
type ImportResult struct {
	DryRun  bool                  `json:"dry_run"`
	Invited int                   `json:"invited"`
	Results []domain.InviteeCheck `json:"results"`
}

// Problems counts the rows that will not be invited for a fault of their
// own (invalid or repeated in the file).
func (r ImportResult) Problems() int {
	n := 0
	for _, c := range r.Results {
		if c.Outcome == domain.OutcomeInvalid || c.Outcome == domain.OutcomeDuplicate {
			n++
		}
	}
	return n
}

// InviteesFromFile reads an uploaded CSV or XLSX file of invitees.
func (s *Core) InviteesFromFile(data []byte, field string) ([]domain.InviteeInput, error) {
	records, err := ReadTable(data, field, s.Config.InviteeImportMaxRows, s.Config.InviteeImportMaxBytes)
	if err != nil {
		return nil, err
	}
	return domain.InviteesFromRecords(records)
}

// ImportInvitees is the one path from rows of invitees to invitations,
// shared by the JSON API and the dashboard: the rows are checked, then
// imported (or, with dryRun, only compared with those invited before).
func (s *Core) ImportInvitees(ctx context.Context, organizerID int64, ev *domain.Event, rows []domain.InviteeInput, dryRun bool) (ImportResult, error) {
	if max := s.Config.InviteeImportMaxRows; len(rows) > max {
		msg := fmt.Sprintf("At most %d rows may be imported at once.", max)
		return ImportResult{}, &domain.Error{Code: domain.EInvalid, Message: msg,
			Fields: []domain.FieldError{{Field: "invitees", Code: "max", Param: fmt.Sprint(max), Message: msg}}}
	}
	if len(rows) == 0 {
		return ImportResult{}, domain.ValidationError([]domain.FieldError{domain.NewFieldError("invitees", "required", "")})
	}
	checks, err := s.Store.ImportInvitees(ctx, organizerID, ev, s.Rules.CheckInvitees(ev, rows), dryRun)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{DryRun: dryRun, Results: checks}
	for _, c := range checks {
		if c.Outcome == domain.OutcomeInvite {
			res.Invited++
		}
	}
	return res, nil
}
