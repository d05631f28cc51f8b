// Package metricstest reads what a /metrics endpoint serves the way
// Prometheus does, with its text parser, for the tests of the packages that
// report metrics.
package metricstest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Families is one scrape, by family name.
type Families map[string]*dto.MetricFamily

// Scrape fetches url (http://host:port/metrics) and parses it.
func Scrape(t testing.TB, url string) Families {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	return parse(t, resp.StatusCode, resp.Header, resp.Body)
}

// ScrapeHandler asks h for /metrics and parses the answer.
func ScrapeHandler(t testing.TB, h http.Handler) Families {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return parse(t, rec.Code, rec.Header(), rec.Body)
}

func parse(t testing.TB, code int, h http.Header, body io.Reader) Families {
	t.Helper()
	if code != http.StatusOK {
		b, _ := io.ReadAll(body)
		t.Fatalf("scrape: %d %s", code, b)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("scrape: Content-Type %q, want the Prometheus text format", ct)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := parser.TextToMetricFamilies(body)
	if err != nil {
		t.Fatalf("scrape: not the Prometheus text format: %v", err)
	}
	return fams
}

// Value adds up the samples of name whose labels include want: a
// counter's or gauge's value, a histogram's count. ok is false when no
// sample matches.
func (f Families) Value(name string, want map[string]string) (sum float64, ok bool) {
	for _, m := range f[name].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			match = match && labels[k] == v
		}
		if !match {
			continue
		}
		ok = true
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum, ok
}

// LabelValues lists every label value of every sample.
func (f Families) LabelValues() []string {
	var out []string
	for _, fam := range f {
		for _, m := range fam.GetMetric() {
			for _, l := range m.GetLabel() {
				out = append(out, l.GetValue())
			}
		}
	}
	return out
}
