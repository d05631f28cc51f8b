package metrics

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Unmatched is the route label of a request no route matched (404, 405):
// its path is whatever the client sent, so it is never a label.
const Unmatched = "unmatched"

// requestKey is one request series before its labels are formatted.
type requestKey struct {
	method, route string
	status        int
}

// requestSeries are the counter and histogram of one requestKey, looked up
// once: a request then costs a map lookup, with no label formatting and no
// allocation.
type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// ObserveRequest records one answered request. route must be a route
// template (gin's FullPath) or Unmatched; a method outside the standard
// ones is counted as "other", so a client cannot create series at will.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	k := requestKey{method: knownMethod(method), route: route, status: status}
	m.seriesMu.RLock()
	s, ok := m.series[k]
	m.seriesMu.RUnlock()
	if !ok {
		s = m.newSeries(k)
	}
	s.count.Inc()
	s.duration.Observe(took.Seconds())
}

func (m *Metrics) newSeries(k requestKey) requestSeries {
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	if s, ok := m.series[k]; ok {
		return s
	}
	code := strconv.Itoa(k.status)
	s := requestSeries{
		count:    m.requests.WithLabelValues(k.method, k.route, code),
		duration: m.durations.WithLabelValues(k.method, k.route, code),
	}
	m.series[k] = s
	return s
}

// knownMethod is method when it is one of HTTP's standard methods, else
// "other".
func knownMethod(method string) string {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return method
	}
	return "other"
}
