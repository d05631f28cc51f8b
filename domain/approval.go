package domain

import "fmt"

// MaxDecisions bounds how many registrations one bulk approval or
// rejection names: a page of the dashboard's list (MaxPageSize). All of
// them are decided in one transaction that holds the event's row lock.
const MaxDecisions = MaxPageSize

// DecisionInput is the body of a bulk approval or rejection: the
// registrations' ids, in the order they are decided (an approval seats
// the first ones while seats are free), and an optional message for their
// emails.
type DecisionInput struct {
	IDs     []string `json:"ids"`
	Message string   `json:"message"`
}

// Validate checks the ids and cleans the message.
func (in DecisionInput) Validate() ([]string, string, error) {
	var fields []FieldError
	switch {
	case len(in.IDs) == 0:
		fields = append(fields, FieldError{Field: "ids", Code: "required", Message: "Name at least one registration."})
	case len(in.IDs) > MaxDecisions:
		fields = append(fields, FieldError{Field: "ids", Code: "max", Param: fmt.Sprint(MaxDecisions),
			Message: fmt.Sprintf("Name at most %d registrations at once.", MaxDecisions)})
	}
	for i, id := range in.IDs {
		if !ValidUUID(id) {
			fields = append(fields, FieldError{Field: fmt.Sprintf("ids[%d]", i), Code: "uuid",
				Message: "This is not a registration id."})
			break
		}
	}
	msg, err := CancelMessage(in.Message)
	if e, ok := AsError(err); ok {
		fields = append(fields, e.Fields...)
	}
	if len(fields) > 0 {
		return nil, "", ValidationError(fields)
	}
	return in.IDs, msg, nil
}
