package httpcore

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/attend/attend/domain"
)

// valueError names the member whose value a type's own decoding refused
// (a time that is not RFC 3339, a date that is not YYYY-MM-DD), which
// encoding/json reports without saying where. It decodes data once more,
// into a fresh value of dst's type, with encoding/json/v2, whose errors
// carry a JSON Pointer; ok is false when that finds no such member.
func valueError(data []byte, dst any) (fe domain.FieldError, ok bool) {
	t := reflect.TypeOf(dst)
	if t == nil || t.Kind() != reflect.Pointer {
		return fe, false
	}
	err := jsonv2.Unmarshal(data, reflect.New(t.Elem()).Interface(),
		jsonv2.MatchCaseInsensitiveNames(true), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	var se *jsonv2.SemanticError
	var syntax *jsontext.SyntacticError
	if !errors.As(err, &se) || se.JSONPointer == "" || se.Err == nil ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &syntax) {
		return fe, false
	}
	var b strings.Builder
	for tok := range se.JSONPointer.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	field := b.String()
	switch se.GoType {
	case reflect.TypeFor[time.Time]():
		return domain.NewFieldError(field, "datetime", ""), true
	case reflect.TypeFor[domain.Date]():
		return domain.NewFieldError(field, "date", ""), true
	}
	return domain.NewFieldError(field, "invalid", ""), true
}
