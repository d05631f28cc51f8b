package notify

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"strings"
	"testing"
)

// part is one leaf of a received MIME tree, its body decoded.
type part struct {
	header map[string][]string
	body   []byte
}

func (p part) get(key string) string {
	if v := p.header[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// leaves walks a message's MIME tree and returns its non-multipart parts.
func leaves(t *testing.T, header map[string][]string, body io.Reader) []part {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(part{header: header}.get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		raw, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		return []part{{header: header, body: decodeBody(t, part{header: header}.get("Content-Transfer-Encoding"), raw)}}
	}
	var out []part
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		out = append(out, leaves(t, p.Header, p)...)
	}
}

func decodeBody(t *testing.T, encoding string, raw []byte) []byte {
	t.Helper()
	var r io.Reader
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(bytes.NewReader(raw))
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(raw, []byte("\r\n"), nil)))
	default:
		return raw
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", encoding, err)
	}
	return b
}

func byType(parts []part, mediaType string) []part {
	var out []part
	for _, p := range parts {
		if mt, _, _ := mime.ParseMediaType(p.get("Content-Type")); mt == mediaType {
			out = append(out, p)
		}
	}
	return out
}
