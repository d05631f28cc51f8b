package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// specBase is where the compiler finds openapi.yaml (as JSON); nothing is
// fetched from it.
const specBase = "http://attend.invalid/openapi.json"

// specChecker holds the served openapi.yaml and checks exchanges with the
// server against it: the status is listed for the operation, the content
// type is one it lists, the body matches the schema (JSON Schema 2020-12,
// the dialect of OpenAPI 3.1, with formats asserted), declared headers
// match theirs and required ones are present. Requests expected to succeed
// are checked too, so the description cannot refuse what the server takes.
type specChecker struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
	paths    []specPath
	// seen records, per operation ("GET /healthz"), the status classes
	// ("2xx", "4xx") answered, to tell which operations were not tried.
	seen map[string]map[string]bool
}

type specPath struct {
	template string
	re       *regexp.Regexp
	names    []string
}

var templateParam = regexp.MustCompile(`\{([a-z_]+)\}`)

func newSpecChecker(t *testing.T, specYAML []byte) *specChecker {
	t.Helper()
	js, err := yaml.YAMLToJSON(specYAML)
	if err != nil {
		t.Fatalf("openapi.yaml is not YAML: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatalf("openapi.yaml as JSON: %v", err)
	}
	sc := &specChecker{compiler: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{},
		seen: map[string]map[string]bool{}}
	sc.doc, _ = doc.(map[string]any)
	sc.compiler.DefaultDraft(jsonschema.Draft2020)
	sc.compiler.AssertFormat()
	if err := sc.compiler.AddResource(specBase, doc); err != nil {
		t.Fatalf("openapi.yaml is not a valid schema resource: %v", err)
	}
	paths, _ := sc.doc["paths"].(map[string]any)
	for tmpl := range paths {
		var names []string
		re, last := "^", 0
		for _, m := range templateParam.FindAllStringSubmatchIndex(tmpl, -1) {
			re += regexp.QuoteMeta(tmpl[last:m[0]]) + "([^/]+)"
			names = append(names, tmpl[m[2]:m[3]])
			last = m[1]
		}
		re += regexp.QuoteMeta(tmpl[last:]) + "$"
		sc.paths = append(sc.paths, specPath{template: tmpl, re: regexp.MustCompile(re), names: names})
	}
	return sc
}

// at returns the node at a JSON pointer ("/components/schemas/Event").
func (sc *specChecker) at(ptr string) any {
	var node any = sc.doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		node = m[tok]
	}
	return node
}

// resolve follows $ref from the object at ptr and returns it with its pointer.
func (sc *specChecker) resolve(ptr string) (map[string]any, string) {
	for range 10 {
		m, _ := sc.at(ptr).(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, ptr
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	return nil, ptr
}

func escapePtr(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// validate checks v against the schema at ptr.
func (sc *specChecker) validate(ptr string, v any) error {
	sch, ok := sc.schemas[ptr]
	if !ok {
		var err error
		if sch, err = sc.compiler.Compile(specBase + "#" + ptr); err != nil {
			return fmt.Errorf("the schema at %s does not compile: %w", ptr, err)
		}
		sc.schemas[ptr] = sch
	}
	return sch.Validate(v)
}

// operation finds the documented path of a request path: the template with
// the fewest parameters wins (…/registrations/export over …/{id}).
func (sc *specChecker) operation(path string) (specPath, map[string]string, bool) {
	var best *specPath
	var values []string
	for i := range sc.paths {
		p := &sc.paths[i]
		m := p.re.FindStringSubmatch(path)
		if m != nil && (best == nil || len(p.names) < len(best.names)) {
			best, values = p, m[1:]
		}
	}
	if best == nil {
		return specPath{}, nil, false
	}
	params := map[string]string{}
	for i, n := range best.names {
		v, err := url.PathUnescape(values[i])
		if err != nil {
			v = values[i]
		}
		params[n] = v
	}
	return *best, params, true
}

// coerce turns a parameter or header string into the JSON type its schema
// names, so that "5" can be checked against an integer schema.
func (sc *specChecker) coerce(schemaPtr, s string) any {
	sch, _ := sc.resolve(schemaPtr)
	switch sch["type"] {
	case "integer", "number":
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return json.Number(s)
		}
	case "boolean":
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	}
	return s
}

// checkRequest checks a request the server should accept: its parameters
// and body must be ones the description allows.
func (sc *specChecker) checkRequest(method, target, contentType, body string) []string {
	u, err := url.Parse(target)
	if err != nil {
		return []string{err.Error()}
	}
	p, pathValues, ok := sc.operation(u.Path)
	if !ok {
		return []string{"the path is not documented"}
	}
	itemPtr := "/paths/" + escapePtr(p.template)
	opPtr := itemPtr + "/" + strings.ToLower(method)
	if sc.at(opPtr) == nil {
		return []string{method + " is not documented on " + p.template}
	}
	var errs []string
	for _, listPtr := range []string{itemPtr + "/parameters", opPtr + "/parameters"} {
		list, _ := sc.at(listPtr).([]any)
		for i := range list {
			param, ptr := sc.resolve(listPtr + "/" + strconv.Itoa(i))
			name, _ := param["name"].(string)
			var v string
			switch param["in"] {
			case "path":
				v, ok = pathValues[name]
			case "query":
				ok = u.Query().Has(name)
				v = u.Query().Get(name)
			default:
				continue
			}
			if !ok {
				continue
			}
			if err := sc.validate(ptr+"/schema", sc.coerce(ptr+"/schema", v)); err != nil {
				errs = append(errs, fmt.Sprintf("parameter %s=%q: %v", name, v, err))
			}
		}
	}
	if body == "" {
		return errs
	}
	rb, rbPtr := sc.resolve(opPtr + "/requestBody")
	if rb == nil {
		return append(errs, "the operation documents no request body")
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	content, _ := rb["content"].(map[string]any)
	if _, ok := content[mt]; !ok {
		return append(errs, "request content type "+mt+" is not documented")
	}
	var v any = body // a text body (text/csv) is checked as a string
	if mt == "application/json" {
		var err error
		if v, err = jsonschema.UnmarshalJSON(strings.NewReader(body)); err != nil {
			return append(errs, "the request body is not JSON: "+err.Error())
		}
	}
	if err := sc.validate(rbPtr+"/content/"+escapePtr(mt)+"/schema", v); err != nil {
		errs = append(errs, "request body: "+err.Error())
	}
	return errs
}

// checkResponse checks one answer against the description and returns what
// disagrees.
func (sc *specChecker) checkResponse(method, target string, rec *httptest.ResponseRecorder) []string {
	u, err := url.Parse(target)
	if err != nil {
		return []string{err.Error()}
	}
	status := strconv.Itoa(rec.Code)
	p, _, ok := sc.operation(u.Path)
	if !ok {
		if rec.Code != http.StatusNotFound {
			return []string{"an undocumented path answered " + status}
		}
		// The conventions: unknown paths under /api/ are problem details.
		return sc.checkBody("/components/responses/NotFound", rec)
	}
	itemPtr := "/paths/" + escapePtr(p.template)
	opPtr := itemPtr + "/" + strings.ToLower(method)
	var respPtr string
	if sc.at(opPtr) == nil {
		// Another method on a documented path: 405, as the operations of
		// the path that list it describe.
		if rec.Code != http.StatusMethodNotAllowed {
			return []string{method + " is not documented on " + p.template + ", yet it answered " + status}
		}
		item, _ := sc.at(itemPtr).(map[string]any)
		for m := range item {
			if sc.at(itemPtr+"/"+m+"/responses/405") != nil {
				respPtr = itemPtr + "/" + m + "/responses/405"
				sc.see(strings.ToUpper(m)+" "+p.template, rec.Code)
			}
		}
		if respPtr == "" {
			respPtr = "/components/responses/MethodNotAllowed"
		}
	} else {
		responses, _ := sc.at(opPtr + "/responses").(map[string]any)
		for _, key := range []string{status, status[:1] + "XX", "default"} {
			if _, ok := responses[key]; ok {
				respPtr = opPtr + "/responses/" + key
				break
			}
		}
		if respPtr == "" {
			return []string{"status " + status + " is not listed for " + method + " " + p.template}
		}
		sc.see(method+" "+p.template, rec.Code)
	}
	return sc.checkBody(respPtr, rec)
}

func (sc *specChecker) see(op string, code int) {
	if sc.seen[op] == nil {
		sc.seen[op] = map[string]bool{}
	}
	sc.seen[op][strconv.Itoa(code)[:1]+"xx"] = true
}

// checkBody checks headers, content type and body against the response
// object at ptr.
func (sc *specChecker) checkBody(ptr string, rec *httptest.ResponseRecorder) []string {
	resp, ptr := sc.resolve(ptr)
	if resp == nil {
		return []string{"no response object at " + ptr}
	}
	var errs []string
	headers, _ := resp["headers"].(map[string]any)
	for name := range headers {
		h, hPtr := sc.resolve(ptr + "/headers/" + escapePtr(name))
		got, present := rec.Header()[http.CanonicalHeaderKey(name)]
		if !present {
			if h["required"] == true {
				errs = append(errs, "required header "+name+" is missing")
			}
			continue
		}
		if err := sc.validate(hPtr+"/schema", sc.coerce(hPtr+"/schema", got[0])); err != nil {
			errs = append(errs, fmt.Sprintf("header %s: %q: %v", name, got[0], err))
		}
	}
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if rec.Body.Len() != 0 {
			errs = append(errs, "a body was sent where none is documented")
		}
		return errs
	}
	mt, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil {
		return append(errs, "no usable Content-Type: "+rec.Header().Get("Content-Type"))
	}
	if _, ok := content[mt]; !ok {
		keys := make([]string, 0, len(content))
		for k := range content {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return append(errs, "content type "+mt+" is not one of "+strings.Join(keys, ", "))
	}
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
		if rec.Body.Len() == 0 {
			errs = append(errs, "an empty "+mt+" body")
		}
		return errs
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		return append(errs, "the body is not JSON: "+err.Error())
	}
	if err := sc.validate(ptr+"/content/"+escapePtr(mt)+"/schema", v); err != nil {
		errs = append(errs, "body: "+err.Error())
	}
	return errs
}

// untried lists the documented operations that were not answered with
// both a success and a client error.
func (sc *specChecker) untried() []string {
	var out []string
	for _, p := range sc.paths {
		item, _ := sc.at("/paths/" + escapePtr(p.template)).(map[string]any)
		for m := range item {
			switch m {
			case "get", "post", "patch", "put", "delete":
			default:
				continue
			}
			op := strings.ToUpper(m) + " " + p.template
			for _, class := range []string{"2xx", "4xx"} {
				if !sc.seen[op][class] {
					out = append(out, op+" never answered "+class)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
