package httpcore_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/attend/attend/domain"
	"github.com/attend/attend/internal/servertest"
	"github.com/attend/attend/server"
)

// registerFrom submits the registration form with the given headers and
// returns the status.
func registerFrom(a *servertest.Server, email string, headers ...string) int {
	a.T.Helper()
	rec, _ := a.Submit("/events/egov/register", servertest.ValidForm(email), headers...)
	return rec.Code
}

func TestClientIPComesFromOneHeaderOnly(t *testing.T) {
	// Behind the proxy at 192.0.2.1, one client (203.0.113.5) registers
	// three times, each time sending a different X-Forwarded-For of its own
	// making; at two registrations a minute the third must be refused.
	tests := []struct {
		name    string
		header  string   // CLIENT_IP_HEADER; empty keeps the default
		proxies []string // TRUSTED_PROXIES
		spoof   func(i int) []string
	}{
		{
			name: "a proxy that sets X-Real-IP and passes the client's X-Forwarded-For on", header: "X-Real-IP",
			proxies: []string{"192.0.2.1"},
			spoof: func(i int) []string {
				return []string{"X-Real-IP", "203.0.113.5", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i)}
			},
		},
		{
			name: "a proxy that appends to the client's X-Forwarded-For", proxies: []string{"192.0.2.1"},
			spoof: func(i int) []string {
				return []string{"X-Forwarded-For", fmt.Sprintf("198.51.100.%d, 203.0.113.5", i), "X-Real-IP", fmt.Sprintf("198.51.100.%d", i)}
			},
		},
		{
			name: "two trusted proxies, each appending", proxies: []string{"192.0.2.1", "10.0.0.0/8"},
			spoof: func(i int) []string {
				return []string{"X-Forwarded-For", fmt.Sprintf("198.51.100.%d, 203.0.113.5, 10.1.2.3", i)}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name+": the client cannot choose its address", func(t *testing.T) {
			a := servertest.New(t, func(d *server.Deps) {
				d.Config.RegisterRateLimit = 2
				d.Config.TrustedProxies = tt.proxies
				if tt.header != "" {
					d.Config.ClientIPHeader = tt.header
				}
			})
			a.Event(a.Token, "egov", nil)
			var codes []int
			for i := range 3 {
				codes = append(codes, registerFrom(a, fmt.Sprintf("spoof%d@example.org", i), tt.spoof(i)...))
			}
			if codes[0] != http.StatusSeeOther || codes[1] != http.StatusSeeOther || codes[2] != http.StatusTooManyRequests {
				t.Errorf("statuses %v, want 303 303 429: a forged header gave the client a new limit", codes)
			}
		})
	}

	t.Run("behind a proxy that sets X-Real-IP, its clients keep their own limits", func(t *testing.T) {
		a := servertest.New(t, func(d *server.Deps) {
			d.Config.RegisterRateLimit = 1
			d.Config.TrustedProxies = []string{"192.0.2.1"}
			d.Config.ClientIPHeader = "X-Real-IP"
		})
		a.Event(a.Token, "egov", nil)
		for i := range 3 {
			if code := registerFrom(a, fmt.Sprintf("real%d@example.org", i), "X-Real-IP", fmt.Sprintf("203.0.113.%d", i)); code != http.StatusSeeOther {
				t.Errorf("client %d: %d, want 303", i, code)
			}
		}
	})
}

func TestClientsAreCountedByTheirIPv6Prefix(t *testing.T) {
	tests := []struct {
		name          string
		prefix        int // CLIENT_IPV6_PREFIX; 0 keeps the default (64)
		first, second string
		share         bool
	}{
		{"two addresses in one /64 share a limit", 0, "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", true},
		{"addresses in two /64s do not", 0, "2001:db8:1:2::1", "2001:db8:1:3::1", false},
		{"with CLIENT_IPV6_PREFIX=48 two /64s of one /48 share a limit", 48, "2001:db8:1:2::1", "2001:db8:1:3::1", true},
		{"with CLIENT_IPV6_PREFIX=48 two /48s do not", 48, "2001:db8:1::1", "2001:db8:2::1", false},
		{"with CLIENT_IPV6_PREFIX=128 two addresses of one /64 do not", 128, "2001:db8:1:2::1", "2001:db8:1:2::2", false},
		{"an IPv4-mapped address is its IPv4 address", 0, "198.51.100.7", "::ffff:198.51.100.7", true},
		{"two IPv4 addresses do not share", 48, "198.51.100.7", "198.51.100.8", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := servertest.New(t, servertest.Proxied, func(d *server.Deps) {
				d.Config.RegisterRateLimit = 2
				d.Config.LoginIPRateLimit = 2
				if tt.prefix != 0 {
					d.Config.ClientIPv6Prefix = tt.prefix
				}
			})
			a.Event(a.Token, "egov", nil)
			hash, err := domain.HashPassword(servertest.DashPassword)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Store.SetPassword(context.Background(), a.Org.ID, hash); err != nil {
				t.Fatal(err)
			}
			wantRegister, wantSignIn := http.StatusSeeOther, http.StatusSeeOther
			if tt.share {
				wantRegister, wantSignIn = http.StatusTooManyRequests, http.StatusTooManyRequests
			}

			for i := range 2 {
				if code := registerFrom(a, fmt.Sprintf("first%d@example.org", i), "X-Forwarded-For", tt.first); code != http.StatusSeeOther {
					t.Fatalf("registration %d from %s: %d", i+1, tt.first, code)
				}
			}
			if code := registerFrom(a, "second@example.org", "X-Forwarded-For", tt.second); code != wantRegister {
				t.Errorf("registration from %s: %d, want %d", tt.second, code, wantRegister)
			}

			for i := range 2 {
				form := url.Values{"email": {fmt.Sprintf("guess%d@example.org", i)}, "password": {"wrong"}}
				if rec, _ := a.Submit("/admin/login", form, "X-Forwarded-For", tt.first); rec.Code != http.StatusUnprocessableEntity {
					t.Fatalf("sign-in %d from %s: %d", i+1, tt.first, rec.Code)
				}
			}
			form := url.Values{"email": {"lead@example.org"}, "password": {servertest.DashPassword}}
			if rec, _ := a.Submit("/admin/login", form, "X-Forwarded-For", tt.second); rec.Code != wantSignIn {
				t.Errorf("sign-in from %s: %d, want %d", tt.second, rec.Code, wantSignIn)
			}
		})
	}
}
