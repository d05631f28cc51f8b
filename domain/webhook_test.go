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

func TestWebhookURLsAreRefusedInEveryOtherSpellingOfAnInternalAddress(t *testing.T) {
	for _, tt := range []struct {
		url string
		ok  bool
	}{
		{"https://crm.example.org:8443/hook", true},
		{"https://1password.example.org/", true},
		{"https://93.184.215.14/", true},
		{"https://1554241294/", true}, // 92.163.118.14 written as one number
		{"https://crm.example.org:0/", false},
		{"https://crm.example.org:65536/", false},
		{"https://crm.example.org:99999/", false},
		{"https://crm.example.org/hook#part", false},
		{"https://crm.example.org/hook#", false},
		{"http://0x7f000001/", false},
		{"http://2130706433/", false},
		{"http://127.1/", false},
		{"http://017700000001/", false},
		{"http://0177.0.0.1/", false},
		{"http://0x7f.0.0.1/", false},
		{"http://0xa.0x0.0x0.0x1/", false}, // 10.0.0.1
		{"http://10.1/", false},
		{"http://192.168.257/", false}, // 192.168.1.1
		{"http://169.254.169.254./", false},
		{"http://0/", false},
		{"http://1.2.3.4.5/", false},
		{"http://999.1.1.1/", false},
	} {
		t.Run(tt.url, func(t *testing.T) {
			if err := CheckWebhookURL(tt.url, false); (err == nil) != tt.ok {
				t.Errorf("CheckWebhookURL(%q) = %v, want accepted %v", tt.url, err, tt.ok)
			}
		})
	}
	// Ports and fragments are wrong even where private addresses are allowed.
	if err := CheckWebhookURL("http://127.0.0.1:0/#x", true); err == nil {
		t.Error("port 0 and a fragment accepted with private addresses allowed")
	}
}

func TestInetAtonReadsEveryForm(t *testing.T) {
	for in, want := range map[string]string{
		"127.1": "127.0.0.1", "2130706433": "127.0.0.1", "0x7f000001": "127.0.0.1", "017700000001": "127.0.0.1",
		"0177.0.0.01": "127.0.0.1", "192.168.257": "192.168.1.1", "10.0x10.1": "10.16.0.1", "1.2.3.4": "1.2.3.4",
	} {
		if got, err := inetAton(in); err != nil || got.String() != want {
			t.Errorf("inetAton(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, in := range []string{"256.1.1.1", "1.2.3.256", "1.16777216", "1.2.65536", "4294967296", "08.1.1.1"} {
		if got, err := inetAton(in); err == nil {
			t.Errorf("inetAton(%q) = %v, want an error", in, got)
		}
	}
}
