package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/attend/attend/internal/servertest"
)

// volatileHeaders differ between any two requests, new or repeated alike.
var volatileHeaders = map[string]bool{"X-Request-Id": true, "X-Ratelimit-Remaining": true, "X-Ratelimit-Reset": true, "Date": true}

func TestRepeatedRegistrationIsIndistinguishable(t *testing.T) {
	a := servertest.New(t)
	a.Event(a.Token, "egov-2026", nil)
	trials := 1000
	if testing.Short() {
		trials = 100
	}

	// New and repeated registrations alternate, so that whatever the
	// machine is doing affects both samples alike.
	var newTimes, repeatTimes []time.Duration
	var first *httptest.ResponseRecorder
	for i := range trials {
		email := fmt.Sprintf("person%04d@example.org", i)
		start := time.Now()
		fresh := a.Register("egov-2026", servertest.Participant(email, nil))
		newTimes = append(newTimes, time.Since(start))

		start = time.Now()
		repeat := a.Register("egov-2026", servertest.Participant(strings.ToUpper(email), nil))
		repeatTimes = append(repeatTimes, time.Since(start))

		if fresh.Code != repeat.Code || fresh.Body.String() != repeat.Body.String() {
			t.Fatalf("trial %d: new answered %d %s, repeat answered %d %s", i, fresh.Code, fresh.Body, repeat.Code, repeat.Body)
		}
		if got, want := headerShape(repeat.Header()), headerShape(fresh.Header()); got != want {
			t.Fatalf("trial %d: headers differ:\nnew:    %s\nrepeat: %s", i, want, got)
		}
		if first == nil {
			first = fresh
		}
	}
	if first.Code != http.StatusAccepted {
		t.Fatalf("registration answered %d, want 202", first.Code)
	}
	diff := servertest.Median(repeatTimes) - servertest.Median(newTimes)
	t.Logf("%d trials: median new %v, median repeat %v, difference %v", trials, servertest.Median(newTimes), servertest.Median(repeatTimes), diff)
	if diff.Abs() >= 5*time.Millisecond {
		t.Errorf("median response times differ by %v (≥ 5 ms): the timing reveals who is registered", diff)
	}
	if n := servertest.CountRows(t, a, `SELECT count(*) FROM registrations`); n != trials {
		t.Errorf("%d registrations stored, want %d", n, trials)
	}
}

// headerShape is the response's headers without the per-request ones.
func headerShape(h http.Header) string {
	var parts []string
	for k, v := range h {
		if !volatileHeaders[http.CanonicalHeaderKey(k)] {
			parts = append(parts, k+"="+strings.Join(v, ","))
		}
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}
