package domain

import (
	"bytes"
	"encoding/json"
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

func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
