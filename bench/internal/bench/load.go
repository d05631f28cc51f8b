package bench

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Summary is what one open-model attack measured. Latencies are exact
// quantiles of every request, not estimates.
type Summary struct {
	Rate       float64 // requested arrivals per second
	Duration   time.Duration
	Requests   int
	OK         int            // answered with the expected status
	Statuses   map[int]int    // every status seen (0: transport error)
	Errors     map[string]int // transport errors and unexpected statuses
	P50, P90   time.Duration
	P99, Max   time.Duration
	Throughput float64 // expected answers per second, over the attack's wall time
}

// Failed counts requests that did not get the expected status.
func (s Summary) Failed() int { return s.Requests - s.OK }

// Server5xx counts answers with a 5xx status.
func (s Summary) Server5xx() int {
	n := 0
	for code, c := range s.Statuses {
		if code >= 500 {
			n += c
		}
	}
	return n
}

func (s Summary) String() string {
	return fmt.Sprintf("rate %.0f/s for %s: %d requests, %d failed, p50 %s p99 %s max %s",
		s.Rate, s.Duration, s.Requests, s.Failed(), ms(s.P50), ms(s.P99), ms(s.Max))
}

// attack sends requests at the pacer's arrival times, whatever the server's
// speed (an open model: a slow answer does not delay the next arrival), and
// summarizes them against the expected status.
func attack(targeter vegeta.Targeter, pacer vegeta.Pacer, d time.Duration, want int) Summary {
	a, done := newAttacker(
		vegeta.KeepAlive(true),
		vegeta.Timeout(30*time.Second),
		vegeta.Workers(32),
		vegeta.Redirects(vegeta.NoFollow),
	)
	defer done()
	return collect(a, targeter, pacer, d, want)
}

// maxConnections bounds an attack's connections to the server. Past the
// server's capacity an open model opens one for every request in flight;
// unbounded, they ran the load generator out of file descriptors, and
// the failures it then counted were its own.
const maxConnections = 4096

// newAttacker is a vegeta attacker over a transport of its own, with at
// most maxConnections; done closes its idle connections once its attack
// has ended, so that one attack's connections (thousands, past the
// server's capacity) do not hold file descriptors into the next.
func newAttacker(opts ...func(*vegeta.Attacker)) (a *vegeta.Attacker, done func()) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: maxConnections,
		MaxConnsPerHost:     maxConnections,
	}
	client := &http.Client{Transport: tr}
	return vegeta.NewAttacker(append([]func(*vegeta.Attacker){vegeta.Client(client)}, opts...)...), tr.CloseIdleConnections
}

// closedLoop keeps exactly clients requests in flight for d, each client
// sending its next request when the previous one is answered (a closed
// model, like pgbench's clients), to measure throughput at that concurrency.
func closedLoop(targeter vegeta.Targeter, clients int, d time.Duration, want int) Summary {
	a, done := newAttacker(
		vegeta.KeepAlive(true),
		vegeta.Timeout(30*time.Second),
		vegeta.Workers(uint64(clients)),
		vegeta.MaxWorkers(uint64(clients)),
		vegeta.Redirects(vegeta.NoFollow),
	)
	defer done()
	return collect(a, targeter, vegeta.ConstantPacer{}, d, want)
}

func collect(a *vegeta.Attacker, targeter vegeta.Targeter, pacer vegeta.Pacer, d time.Duration, want int) Summary {
	s := Summary{Duration: d, Statuses: map[int]int{}, Errors: map[string]int{}}
	if cp, ok := pacer.(vegeta.ConstantPacer); ok {
		s.Rate = float64(cp.Freq) / cp.Per.Seconds()
	}
	var lat []time.Duration
	var first, last time.Time
	for res := range a.Attack(targeter, pacer, d, "bench") {
		s.Requests++
		s.Statuses[int(res.Code)]++
		lat = append(lat, res.Latency)
		if first.IsZero() || res.Timestamp.Before(first) {
			first = res.Timestamp
		}
		if end := res.End(); end.After(last) {
			last = end
		}
		switch {
		case int(res.Code) == want && res.Error == "":
			s.OK++
		case res.Error != "":
			s.Errors[truncate(res.Error, 120)]++
		default:
			s.Errors["status "+strconv.Itoa(int(res.Code))+": "+truncate(strings.TrimSpace(string(res.Body)), 200)]++
		}
	}
	slices.Sort(lat)
	s.P50, s.P90, s.P99 = quantile(lat, 0.50), quantile(lat, 0.90), quantile(lat, 0.99)
	if len(lat) > 0 {
		s.Max = lat[len(lat)-1]
	}
	if wall := last.Sub(first); wall > 0 {
		s.Throughput = float64(s.OK) / wall.Seconds()
	}
	return s
}

// quantile is the nearest-rank quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// constant is an arrival rate of n per second.
func constant(n float64) vegeta.ConstantPacer {
	// vegeta takes a whole frequency per period: express fractional rates
	// per 10 s so that 12.5/s is exact.
	return vegeta.ConstantPacer{Freq: int(math.Round(n * 10)), Per: 10 * time.Second}
}

// registrationTargeter posts valid, distinct registrations for one event.
// Every request has its own address (prefix + a counter), so none is a
// repeat; countries and roles vary so that rows look real.
func registrationTargeter(baseURL, slug, prefix string, counter *atomic.Int64) vegeta.Targeter {
	url := baseURL + "/api/v1/events/" + slug + "/registrations"
	header := http.Header{"Content-Type": {"application/json"}}
	countries := []string{"UZ", "KZ", "KG", "TJ", "TM", "RU", "DE", "US", "IN", "TR"}
	roles := []string{"expert", "practitioner", "researcher", "student", "other"}
	langs := []string{"en", "ru", "uz"}
	return func(t *vegeta.Target) error {
		n := counter.Add(1)
		t.Method = http.MethodPost
		t.URL = url
		t.Header = header
		t.Body = fmt.Appendf(nil, `{"first_name":"Bench","last_name":"Participant %d","email":"%s-%d@example.org",`+
			`"country":%q,"organization":"Bench Org %d","position":"Engineer","role":%q,"language":%q,`+
			`"phone":"+99871%07d","consent":true}`,
			n, prefix, n, countries[n%int64(len(countries))], n%97, roles[n%int64(len(roles))],
			langs[n%int64(len(langs))], n%10_000_000)
		return nil
	}
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
