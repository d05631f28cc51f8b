package httpcore

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// invalidUTF8Field names the JSON member whose string holds the body's
// first byte that is not UTF-8 ("texts.en.subject", "filter.answers[1]"),
// or "" when the body is valid UTF-8. encoding/json would replace such
// bytes with U+FFFD and store the result; a client that sent them meant
// something else, so the request is refused and told where.
// A bad byte in a member's name names the object holding it; one outside
// any string (which also makes the JSON malformed), or in the top-level
// object's names, is reported as "body".
func invalidUTF8Field(data []byte) string {
	bad := firstInvalidUTF8(data)
	if bad < 0 {
		return ""
	}
	type frame struct {
		object bool
		key    string // the member being read (objects)
		index  int    // the element being read (arrays)
		onKey  bool   // the next token of an object is a member's name
	}
	var stack []*frame
	path := func() string {
		var b bytes.Buffer
		for _, f := range stack {
			if f.object {
				if b.Len() > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.index) + "]")
			}
		}
		return b.String()
	}
	// advance moves the innermost container past the value just read.
	advance := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.onKey = true
		} else {
			f.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "body"
		}
		past := dec.InputOffset() > int64(bad)
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if past {
				return "body"
			}
			stack = append(stack, &frame{object: tok == json.Delim('{'), onKey: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			if past {
				return "body"
			}
			stack = stack[:len(stack)-1]
			advance()
			continue
		}
		str, isString := tok.(string)
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].onKey {
			if past { // a member's name: the object holding it is named
				stack = stack[:n-1]
				return nonEmpty(path())
			}
			stack[n-1].key, stack[n-1].onKey = str, false
			continue
		} else if !past {
			advance()
			continue
		}
		if past {
			if !isString {
				return "body"
			}
			return nonEmpty(path())
		}
	}
}

func nonEmpty(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

// firstInvalidUTF8 is the offset of data's first byte that is not part of
// a UTF-8 sequence, or -1.
func firstInvalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}
