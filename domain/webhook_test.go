package domain

import (
	"net/netip"
	"strings"
	"testing"
)

func TestPublicAddressRefusesEveryInternalRange(t *testing.T) {
	for _, tt := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true},
		{"203.0.114.7", true},
		{"2a00:1450:4001::200e", true},
		{"127.0.0.1", false},
		{"127.255.0.9", false},
		{"::1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"100.64.0.1", false}, // carrier-grade NAT
		{"0.0.0.0", false},
		{"::", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"::ffff:10.0.0.1", false},  // IPv4 written as IPv6
		{"::ffff:127.0.0.1", false}, // the same for loopback
		{"64:ff9b::a00:1", false},   // NAT64 of 10.0.0.1
		{"2002:7f00:1::1", false},   // 6to4 of 127.0.0.1
		{"198.18.0.1", false},       // benchmarking
		{"192.0.2.1", false},        // documentation
		{"2001:db8::1", false},      // documentation
	} {
		if got := PublicAddress(netip.MustParseAddr(tt.addr)); got != tt.public {
			t.Errorf("PublicAddress(%s) = %v, want %v", tt.addr, got, tt.public)
		}
	}
}

func TestWebhookInputIsCheckedForCreationAndChange(t *testing.T) {
	for _, tt := range []struct {
		name         string
		in           WebhookInput
		creating     bool
		allowPrivate bool
		wantFields   string // the fields in error, space-separated
	}{
		{"a public https URL", WebhookInput{URL: Some("https://crm.example.org/hook")}, true, false, ""},
		{"no URL", WebhookInput{}, true, false, "url"},
		{"loopback", WebhookInput{URL: Some("http://127.0.0.1:9000/")}, true, false, "url"},
		{"loopback when allowed", WebhookInput{URL: Some("http://127.0.0.1:9000/")}, true, true, ""},
		{"localhost by name", WebhookInput{URL: Some("http://LOCALHOST./")}, true, false, "url"},
		{"a user and password", WebhookInput{URL: Some("https://a:b@crm.example.org/")}, true, true, "url"},
		{"another scheme", WebhookInput{URL: Some("gopher://crm.example.org/")}, true, true, "url"},
		{"an unknown type", WebhookInput{URL: Some("https://x.org/"), EventTypes: Some([]string{"registration.eaten"})}, true, false, "event_types"},
		{"no types", WebhookInput{URL: Some("https://x.org/"), EventTypes: Some([]string{})}, true, false, "event_types"},
		{"active on creation", WebhookInput{URL: Some("https://x.org/"), Active: Some(false)}, true, false, "active"},
		{"a change of nothing", WebhookInput{}, false, false, ""},
		{"a change of event", WebhookInput{Event: Some("egov")}, false, false, "event"},
		{"a null URL in a change", WebhookInput{URL: Optional[string]{Set: true, Null: true}}, false, false, "url"},
		{"a very long URL", WebhookInput{URL: Some("https://x.org/" + strings.Repeat("a", MaxWebhookURLLength))}, true, false, "url"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := tt.in.Validate(tt.creating, tt.allowPrivate)
			var fields []string
			if e, ok := AsError(err); ok {
				for _, f := range e.Fields {
					fields = append(fields, f.Field)
				}
			}
			if got := strings.Join(fields, " "); got != tt.wantFields {
				t.Fatalf("fields in error %q, want %q (%v)", got, tt.wantFields, err)
			}
			if err == nil && tt.creating && len(ch.EventTypes) == 0 {
				t.Error("a new endpoint without types")
			}
		})
	}
}

func TestWebhookSecretsAreFreshAndDecodable(t *testing.T) {
	a, err := NewWebhookSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewWebhookSecret()
	key, err := WebhookSecretKey(a)
	if a == b || !strings.HasPrefix(a, WebhookSecretPrefix) || err != nil || len(key) != 32 {
		t.Errorf("secrets %q, %q; key of %d bytes, %v", a, b, len(key), err)
	}
}
