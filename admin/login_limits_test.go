package admin_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// signInFrom posts the sign-in form as the client at ip, behind the proxy.
func signInFrom(d *servertest.Dashboard, ip, email, password string) (*httptest.ResponseRecorder, *servertest.Doc) {
	d.T.Helper()
	return d.Submit("/admin/login", url.Values{"email": {email}, "password": {password}}, "X-Forwarded-For", ip)
}

// rateLimited signs in and checks that a limit refused it; it returns the
// answer's body.
func rateLimited(d *servertest.Dashboard, t *testing.T, ip, email, password string) string {
	t.Helper()
	rec, page := signInFrom(d, ip, email, password)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("status %d, want 429", rec.Code)
	}
	if got := rec.Header().Get("Retry-After"); got != "900" {
		t.Errorf("Retry-After %q, want 900", got)
	}
	if servertest.SessionCookie(rec) != nil {
		t.Error("a limited attempt set a session cookie")
	}
	if got := servertest.TextOf(page.ByID("login-error")); !strings.Contains(got, "Too many sign-in attempts") || !strings.Contains(got, "15 minutes") {
		t.Errorf("error %q", got)
	}
	for k := range rec.Header() {
		if strings.HasPrefix(strings.ToLower(k), "x-ratelimit") {
			t.Errorf("the answer tells %s", k)
		}
	}
	return rec.Body.String()
}

// loginLimits is a dashboard behind a proxy with small sign-in limits and
// a delay of a millisecond, doubling up to four.
func loginLimits(t *testing.T, perAccount, perClient int) *servertest.Dashboard {
	return servertest.NewDashboard(t, servertest.Proxied, func(d *server.Deps) {
		d.Config.LoginRateLimit = perAccount
		d.Config.LoginIPRateLimit = perClient
		d.Config.LoginRateWindow = 15 * time.Minute
		d.Config.LoginDelay = time.Millisecond
		d.Config.LoginDelayMax = 4 * time.Millisecond
	})
}

func TestNobodyCanLockAnOrganizerOut(t *testing.T) {
	t.Run("wrong passwords from one address limit that address only", func(t *testing.T) {
		d := loginLimits(t, 3, 100)
		for i := range 3 {
			if rec, _ := signInFrom(d, "198.51.100.7", "lead@example.org", fmt.Sprint("wrong-", i)); rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: %d", i+1, rec.Code)
			}
		}
		rateLimited(d, t, "198.51.100.7", "lead@example.org", servertest.DashPassword)
		if rec, _ := signInFrom(d, "203.0.113.20", "lead@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
			t.Errorf("the organizer, from another address, got %d; want 303", rec.Code)
		}
	})

	t.Run("failures from many addresses slow the account down, and the right password still signs in", func(t *testing.T) {
		d := loginLimits(t, 3, 100)
		for i := range 30 {
			if rec, _ := signInFrom(d, fmt.Sprintf("203.0.113.%d", 100+i), "lead@example.org", "wrong"); rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: %d", i+1, rec.Code)
			}
		}
		if rec, _ := signInFrom(d, "198.51.100.50", "LEAD@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
			t.Fatalf("the organizer got %d after others' failures; want 303", rec.Code)
		}
		// Each failure doubled the next sign-in's delay, from 1ms up to
		// the 4ms bound; the first attempt waited for nothing, the
		// organizer's for the bound.
		delays := loggedDelays(t, d.Logs.String())
		want := []time.Duration{time.Millisecond, 2 * time.Millisecond}
		for range 28 {
			want = append(want, 4*time.Millisecond)
		}
		if fmt.Sprint(delays) != fmt.Sprint(want) {
			t.Errorf("delays %v, want %v", delays, want)
		}
	})

	t.Run("one address trying many accounts is limited", func(t *testing.T) {
		d := loginLimits(t, 100, 3)
		for i := range 3 {
			if rec, _ := signInFrom(d, "198.51.100.7", fmt.Sprintf("guess%d@example.org", i), "wrong"); rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("attempt %d: %d", i+1, rec.Code)
			}
		}
		rateLimited(d, t, "198.51.100.7", "lead@example.org", servertest.DashPassword)
		if rec, _ := signInFrom(d, "198.51.100.8", "lead@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
			t.Errorf("another address was refused too: %d", rec.Code)
		}
	})

	t.Run("a limited known account and a limited unknown one answer alike", func(t *testing.T) {
		d := loginLimits(t, 3, 100)
		var bodies []string
		for _, email := range []string{"lead@example.org", "ghost@example.org"} {
			for range 3 {
				signInFrom(d, "198.51.100.7", email, "wrong")
			}
			body := rateLimited(d, t, "198.51.100.7", strings.ToUpper(email), servertest.DashPassword)
			bodies = append(bodies, normalizedLogin(body, strings.ToUpper(email)))
		}
		if bodies[0] != bodies[1] {
			t.Errorf("they answer differently:\n%s\n---\n%s", bodies[0], bodies[1])
		}
	})

	t.Run("door staff behind one address sign in as often as they need", func(t *testing.T) {
		d := loginLimits(t, 2, 2)
		signInFrom(d, "198.51.100.7", "lead@example.org", "a typo")
		for i := range 6 {
			if rec, _ := signInFrom(d, "198.51.100.7", "lead@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
				t.Fatalf("sign-in %d with the right password: %d", i+1, rec.Code)
			}
		}
	})

	t.Run("a limited address may try again once the window has passed", func(t *testing.T) {
		d := loginLimits(t, 2, 100)
		signInFrom(d, "198.51.100.7", "lead@example.org", "wrong")
		signInFrom(d, "198.51.100.7", "lead@example.org", "wrong")
		rateLimited(d, t, "198.51.100.7", "lead@example.org", servertest.DashPassword)
		d.SetClock(d.Clock().Add(30 * time.Minute))
		if rec, _ := signInFrom(d, "198.51.100.7", "lead@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
			t.Errorf("after the window: %d, want 303", rec.Code)
		}
	})
}

// loggedDelays reads the delays of the "sign-in slowed down" log lines.
func loggedDelays(t *testing.T, logs string) []time.Duration {
	t.Helper()
	var out []time.Duration
	sc := bufio.NewScanner(strings.NewReader(logs))
	for sc.Scan() {
		var line struct {
			Msg   string        `json:"msg"`
			Delay time.Duration `json:"delay"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if line.Msg == "sign-in slowed down" {
			out = append(out, line.Delay)
		}
	}
	return out
}

func TestPasswordChecksRunAtMostNAtOnce(t *testing.T) {
	const slots, logins = 2, 30
	var running, peak, calls atomic.Int32
	release := make(chan struct{})
	d := servertest.NewDashboard(t, servertest.Proxied, func(deps *server.Deps) {
		deps.Config.PasswordHashConcurrency = slots
		deps.Config.PasswordHashWait = 50 * time.Millisecond
		deps.CheckPassword = func(password, hash string) bool {
			n := running.Add(1)
			defer running.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			if calls.Add(1) <= slots {
				<-release // the first checks keep their slots until every other sign-in has its answer
			}
			return domain.CheckPassword(password, hash)
		}
	})

	answers := make(chan *httptest.ResponseRecorder, logins)
	for i := range logins {
		go func() {
			// Each from its own IPv6 /64, as in the attack that took the
			// process to 2.9 GB.
			form := url.Values{"email": {"lead@example.org"}, "password": {fmt.Sprint("wrong-", i)}}
			req := httptest.NewRequest(http.MethodPost, "/admin/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("2001:db8:%x::1", i+1))
			rec := httptest.NewRecorder()
			d.Srv.ServeHTTP(rec, req)
			answers <- rec
		}()
	}
	codes := map[int]int{}
	var busy *httptest.ResponseRecorder
	for range logins - slots {
		rec := <-answers
		codes[rec.Code]++
		if rec.Code == http.StatusServiceUnavailable {
			busy = rec
		}
	}
	close(release)
	for range slots {
		codes[(<-answers).Code]++
	}

	if got := peak.Load(); got > slots {
		t.Errorf("%d password checks ran at once, want at most %d", got, slots)
	}
	if codes[http.StatusServiceUnavailable] != logins-slots || codes[http.StatusUnprocessableEntity] != slots {
		t.Errorf("answers %v, want %d × 503 and %d × 422", codes, logins-slots, slots)
	}
	if busy != nil {
		if got := busy.Header().Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After %q, want 1", got)
		}
		if got := servertest.TextOf(servertest.ParseHTML(t, busy).ByID("login-error")); !strings.Contains(got, "try again in a few seconds") {
			t.Errorf("error %q", got)
		}
	}
	if rec, _ := signInFrom(d, "198.51.100.7", "lead@example.org", servertest.DashPassword); rec.Code != http.StatusSeeOther {
		t.Errorf("after the burst the organizer got %d, want 303: were the slots given back?", rec.Code)
	}
}
