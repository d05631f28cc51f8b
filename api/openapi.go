package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// openAPISpec documents every route; it is the API's reference.
//
//go:embed openapi.yaml
var openAPISpec []byte

// servedSpec is the reference as this installation serves it: its servers
// list names BASE_URL, the base of every path in the document, instead of
// the examples the file carries, so that a client generated from it calls
// this server.
func servedSpec(spec []byte, base *url.URL) ([]byte, error) {
	if base == nil {
		return nil, errors.New("api: openapi.yaml: no BASE_URL to serve it with")
	}
	start := bytes.Index(spec, []byte("\nservers:\n"))
	if start < 0 {
		return nil, errors.New("api: openapi.yaml has no top-level servers list")
	}
	start++ // keep the newline before it
	// The list runs to the next top-level key: a line that starts with
	// neither a space nor a comment.
	end := len(spec)
	for i := start + len("servers:\n"); i < len(spec); {
		next := bytes.IndexByte(spec[i:], '\n')
		if spec[i] != ' ' && spec[i] != '#' && spec[i] != '\n' {
			end = i
			break
		}
		if next < 0 {
			break
		}
		i += next + 1
	}
	// A JSON string is a valid YAML double-quoted scalar, whatever the URL holds.
	u, err := json.Marshal(strings.TrimRight(base.String(), "/"))
	if err != nil {
		return nil, fmt.Errorf("api: openapi.yaml: %w", err)
	}
	var out bytes.Buffer
	out.Write(spec[:start])
	fmt.Fprintf(&out, "servers:\n  - url: %s\n    description: This installation (its BASE_URL).\n", u)
	out.Write(spec[end:])
	return out.Bytes(), nil
}

// OpenAPI serves the reference, openapi.yaml.
func (s *API) OpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", s.spec)
}
