//go:build linux

package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newClient is an HTTP client for load. Keep-alive connections are what
// real clients and proxies use; the shutdown test turns them off so that
// every request has its own connection and an error can be attributed.
func newClient(keepAlive bool, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 64,
		DisableKeepAlives:   !keepAlive,
	}
	return &http.Client{Transport: tr, Timeout: timeout}
}

// participant is the JSON body of a registration for address email.
func participant(email string) []byte {
	b, _ := json.Marshal(map[string]any{ // a map of strings and a bool always encodes
		"first_name": "Chaos", "last_name": "Tester", "email": email, "country": "UZ",
		"organization": "Fault Injection Lab", "role": "researcher", "consent": true,
	})
	return b
}

// reply is the outcome of one HTTP attempt.
type reply struct {
	status     int
	retryAfter string
	err        error // transport error: no response
	took       time.Duration
	at         time.Time // when the attempt ended
}

// post sends one JSON POST and reads the whole answer.
func post(ctx context.Context, c *http.Client, url string, body []byte, header ...string) reply {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(c, req)
}

// get sends one GET and reads the whole answer.
func get(ctx context.Context, c *http.Client, url string) reply {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return reply{err: err}
	}
	return do(c, req)
}

// do sends req and reads the whole answer, timing both.
func do(c *http.Client, req *http.Request) reply {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return reply{err: err, took: time.Since(start), at: time.Now()}
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	r := reply{status: resp.StatusCode, retryAfter: resp.Header.Get("Retry-After"), took: time.Since(start), at: time.Now()}
	if err != nil {
		r.err = fmt.Errorf("reading the %s answer: %w", resp.Status, err)
	}
	return r
}

// register makes one registration attempt at base for event slug.
func register(ctx context.Context, c *http.Client, base, slug, email string) reply {
	return post(ctx, c, base+"/api/v1/events/"+slug+"/registrations", participant(email))
}

// refused reports whether err is a refused connection: nothing listens.
func refused(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// outcome is what became of one participant's registration after retries.
type outcome struct {
	email    string
	status   int // the last HTTP status; 0 if no attempt got an answer
	attempts int
	// ambiguous counts attempts that failed after the request may have
	// reached the server (anything but a refused connection), so the
	// registration may exist although no 202 arrived for that attempt.
	ambiguous  int
	acceptedAt time.Time
	last       error
}

// registerPersistently registers email, retrying transport errors and 503
// answers (as a well-behaved client does) until a final answer or until
// patience runs out. base is called per attempt, so the target may change.
func registerPersistently(c *http.Client, base func(attempt int) string, slug, email string, patience time.Duration) outcome {
	o := outcome{email: email}
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		o.attempts++
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		r := register(ctx, c, base(o.attempts), slug, email)
		cancel()
		switch {
		case r.err != nil:
			o.last = r.err
			if !refused(r.err) {
				o.ambiguous++
			}
			time.Sleep(50 * time.Millisecond)
			continue
		case r.status == http.StatusServiceUnavailable:
			o.status = r.status
			time.Sleep(100 * time.Millisecond)
			continue
		}
		o.status = r.status
		if r.status == http.StatusAccepted {
			o.acceptedAt = r.at
		}
		return o
	}
	return o
}

// steady calls fn(i) for i in [0, n) at rate calls per second, each in its
// own goroutine, and waits for all of them.
func steady(n int, rate float64, fn func(i int)) {
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		if d := time.Until(start.Add(time.Duration(float64(i) / rate * float64(time.Second)))); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}

// tally counts outcomes by a label, for the test log.
type tally struct {
	mu sync.Mutex
	m  map[string]int
}

func (t *tally) add(label string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]int{}
	}
	t.m[label]++
}

func (t *tally) get(label string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m[label]
}

func (t *tally) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	keys := make([]string, 0, len(t.m))
	for k := range t.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%d", k, t.m[k])
	}
	return b.String()
}

// getJSON fetches url with an optional bearer token into dst.
func getJSON(t *testing.T, c *http.Client, url, token string, dst any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if dst != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return resp.StatusCode
}

// steadyLoad registers distinct participants (prefix-00000@example.org, …)
// at rate per second, each request on its own goroutine so that slow
// answers do not slow the arrivals, until stop is closed. It then waits for
// the requests in flight and returns every sample.
func steadyLoad(client *http.Client, base, slug, prefix string, rate float64, stop <-chan struct{}) []sample {
	var (
		mu       sync.Mutex
		samples  []sample
		inflight sync.WaitGroup
	)
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			inflight.Wait()
			return samples
		case <-tick.C:
		}
		inflight.Go(func() {
			s := sample{email: fmt.Sprintf("%s-%05d@example.org", prefix, i), started: time.Now()}
			s.reply = register(context.Background(), client, base, slug, s.email)
			mu.Lock()
			samples = append(samples, s)
			mu.Unlock()
		})
	}
}
