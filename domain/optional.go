package domain

import (
	"encoding/json/jsontext"
	"encoding/json/v2"
)

// Optional is a JSON field that remembers whether it was sent and whether it
// was null, which PATCH needs: absent leaves a value alone, null clears it.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Some returns a set, non-null Optional.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// UnmarshalJSONFrom decodes from the caller's decoder rather than a copy of
// the bytes, so that a value of the wrong type is reported with its field's
// name (encoding/json's UnmarshalTypeError.Field), as for plain fields: a
// nested json.Unmarshal would lose the field, and the 422 would not say
// which one was wrong.
func (o *Optional[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	o.Set = true
	if dec.PeekKind() == 'n' {
		o.Null = true
		_, err := dec.ReadToken()
		return err
	}
	return json.UnmarshalDecode(dec, &o.Value)
}
