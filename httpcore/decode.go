package httpcore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/attend/attend/domain"
)

// DecodeJSON reads the body into dst. It answers the request itself and
// returns false on any problem: 400 for a wrong content type or malformed
// JSON, 413 for a body over the limit, 422 for a value of the wrong type or
// form (a timestamp or a date its type refuses, naming its field), or
// a string holding bytes that are not UTF-8 (naming its field).
func (s *Core) DecodeJSON(c *gin.Context, dst any) bool { return s.DecodeJSONThen(c, dst, nil) }

// DecodeJSONThen is DecodeJSON that calls decoded, when not nil, once the
// JSON has been decoded into dst and before any error is answered: a value
// of the wrong type leaves the other members decoded, so the answer can
// still speak the language the body asks for.
func (s *Core) DecodeJSONThen(c *gin.Context, dst any, decoded func()) bool {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		s.BadRequest(c, http.StatusBadRequest, "unsupported-content-type", "Wrong content type",
			"send the body as application/json")
		return false
	}
	// The whole body is read first, so that a body over the limit is a 413
	// whatever its content, not a 400 for whatever error comes first.
	data, err := io.ReadAll(c.Request.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.BadRequest(c, http.StatusRequestEntityTooLarge, "payload-too-large", "Request body too large",
			fmt.Sprintf("the body must be at most %d bytes", tooBig.Limit))
		return false
	}
	if err != nil {
		// The client stopped sending (a dropped connection, a read timeout):
		// nothing the server did wrong.
		s.BadRequest(c, http.StatusBadRequest, "unreadable-body", "Unreadable request body",
			"the request body could not be read completely")
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	err = dec.Decode(dst)
	if decoded != nil {
		decoded()
	}
	if err == nil {
		// One JSON value only: trailing data means the client sent something else.
		if _, terr := dec.Token(); !errors.Is(terr, io.EOF) {
			err = errors.New("unexpected data after the JSON value")
		}
	}
	if field := invalidUTF8Field(data); field != "" {
		s.Error(c, domain.ValidationError([]domain.FieldError{domain.NewFieldError(field, "utf8", "")}))
		return false
	}
	if err == nil {
		return true
	}
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		field := typeErr.Field
		s.Error(c, domain.ValidationError([]domain.FieldError{
			domain.NewFieldError(field, "type", jsonTypeName(typeErr.Type)),
		}))
	case errors.As(err, &typeErr):
		// The body itself has the wrong type (an array or a string where
		// an object belongs): say what was expected, not Go's type names.
		s.BadRequest(c, http.StatusBadRequest, "malformed-json", "Malformed JSON",
			"the body must be a JSON "+jsonTypeName(typeErr.Type)+", not a JSON "+typeErr.Value)
	case errors.As(err, &syntax):
		s.BadRequest(c, http.StatusBadRequest, "malformed-json", "Malformed JSON",
			fmt.Sprintf("the body is not valid JSON (at byte %d)", syntax.Offset))
	case errors.Is(err, io.EOF):
		s.BadRequest(c, http.StatusBadRequest, "malformed-json", "Malformed JSON", "the body is empty")
	default:
		if fe, ok := valueError(data, dst); ok {
			s.Error(c, domain.ValidationError([]domain.FieldError{fe}))
			return false
		}
		s.BadRequest(c, http.StatusBadRequest, "malformed-json", "Malformed JSON", "the body is not valid JSON: "+err.Error())
	}
	return false
}

func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return "number"
	case reflect.Slice:
		return "array"
	case reflect.Struct, reflect.Map:
		if t.String() == "time.Time" {
			return "RFC 3339 timestamp"
		}
		return "object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return t.String()
}
