package domain

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Webhook event types: what an endpoint may subscribe to. The database's
// triggers (migration 00016) produce them; a registration status they do
// not name yet is reported as WebhookRegistrationUpdated.
const (
	WebhookRegistrationCreated    = "registration.created"
	WebhookRegistrationConfirmed  = "registration.confirmed"
	WebhookRegistrationCancelled  = "registration.cancelled"
	WebhookRegistrationWaitlisted = "registration.waitlisted"
	WebhookRegistrationPromoted   = "registration.promoted"
	WebhookRegistrationExpired    = "registration.expired"
	WebhookRegistrationUpdated    = "registration.updated"
	WebhookCheckinCreated         = "checkin.created"
)

// WebhookTypes lists every event type, in the order the API documents them.
var WebhookTypes = []string{
	WebhookRegistrationCreated, WebhookRegistrationConfirmed, WebhookRegistrationCancelled,
	WebhookRegistrationWaitlisted, WebhookRegistrationPromoted, WebhookRegistrationExpired,
	WebhookRegistrationUpdated, WebhookCheckinCreated,
}

// MaxWebhookURLLength bounds an endpoint's address.
const MaxWebhookURLLength = 2000

// WebhookSecretPrefix starts every signing secret, as Standard Webhooks
// suggests, so that a leaked one is recognisable.
const WebhookSecretPrefix = "whsec_"

// Webhook is an organizer's endpoint. Its secret is shown once, when it is
// created (WebhookCreated), never in listings.
type Webhook struct {
	ID                  int64      `json:"id" db:"id"`
	OrganizerID         int64      `json:"-" db:"organizer_id"`
	EventID             *int64     `json:"-" db:"event_id"`
	Event               *string    `json:"event" db:"event_slug"`
	URL                 string     `json:"url" db:"url"`
	EventTypes          []string   `json:"event_types" db:"-"`
	IncludePersonalData bool       `json:"include_personal_data" db:"include_personal_data"`
	Active              bool       `json:"active" db:"active"`
	ConsecutiveFailures int        `json:"consecutive_failures" db:"consecutive_failures"`
	FailingSince        *time.Time `json:"failing_since" db:"failing_since"`
	DisabledAt          *time.Time `json:"disabled_at" db:"disabled_at"`
	CreatedAt           time.Time  `json:"created_at" db:"created_at"`
	UpdatedAt           time.Time  `json:"updated_at" db:"updated_at"`
}

// WebhookInput is the body of POST /api/v1/webhooks and, every field
// optional, of PATCH /api/v1/webhooks/{id}.
type WebhookInput struct {
	URL                 Optional[string]   `json:"url"`
	Event               Optional[string]   `json:"event"`
	EventTypes          Optional[[]string] `json:"event_types"`
	IncludePersonalData Optional[bool]     `json:"include_personal_data"`
	Active              Optional[bool]     `json:"active"`
}

// WebhookChange is a validated WebhookInput: nil fields stay as they are.
type WebhookChange struct {
	URL                 *string
	Event               *string // a slug; only on creation
	EventTypes          []string
	IncludePersonalData *bool
	Active              *bool
}

// Validate checks a new endpoint (creating) or a change to one. allowPrivate
// lets the URL name a loopback or private address, for local development.
func (in WebhookInput) Validate(creating, allowPrivate bool) (WebhookChange, error) {
	var ch WebhookChange
	var fields []FieldError
	add := func(field, code, msg string) {
		fields = append(fields, FieldError{Field: field, Code: code, Message: msg})
	}
	switch {
	case in.URL.Set && !in.URL.Null:
		u := strings.TrimSpace(in.URL.Value)
		if err := CheckWebhookURL(u, allowPrivate); err != nil {
			add("url", "url", err.Error())
		}
		ch.URL = &u
	case creating || in.URL.Null:
		add("url", "required", "url is required: the http(s) address attend posts to.")
	}
	if in.Event.Set && !in.Event.Null {
		if !creating {
			add("event", "readonly", "event cannot be changed; delete the endpoint and register another.")
		}
		slug := strings.TrimSpace(in.Event.Value)
		ch.Event = &slug
	}
	switch {
	case in.EventTypes.Set && !in.EventTypes.Null:
		if len(in.EventTypes.Value) == 0 {
			add("event_types", "required", "event_types must name at least one type.")
		}
		for _, t := range in.EventTypes.Value {
			if !slices.Contains(WebhookTypes, t) {
				add("event_types", "oneof", "event_types may hold "+strings.Join(WebhookTypes, ", ")+".")
				break
			}
			if !slices.Contains(ch.EventTypes, t) {
				ch.EventTypes = append(ch.EventTypes, t)
			}
		}
	case creating:
		ch.EventTypes = slices.Clone(WebhookTypes) // every type
	case in.EventTypes.Null:
		add("event_types", "null", "event_types cannot be null.")
	}
	if in.IncludePersonalData.Set {
		v := in.IncludePersonalData.Value
		ch.IncludePersonalData = &v
	}
	if in.Active.Set {
		if creating {
			add("active", "readonly", "A new endpoint is always active.")
		}
		v := in.Active.Value
		ch.Active = &v
	}
	return ch, ValidationError(fields)
}

// CheckWebhookURL accepts an absolute http or https URL without user
// information. Unless allowPrivate is set it refuses addresses inside the
// server's own network, named literally (IP addresses, localhost): a
// hostile organizer must not be able to probe it. Names that resolve to
// such addresses are refused again when the sender dials.
func CheckWebhookURL(raw string, allowPrivate bool) error {
	if len(raw) > MaxWebhookURLLength || !utf8.ValidString(raw) {
		return fmt.Errorf("url must be at most %d characters of valid text", MaxWebhookURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("url must be an absolute http or https address, such as https://example.org/attend")
	}
	if u.User != nil {
		return fmt.Errorf("url must not carry a user name or password")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("url must not have a #fragment, which is never sent to the server")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("url's port must be from 1 to 65535")
		}
	}
	if allowPrivate {
		return nil
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return fmt.Errorf("url must not point at this server's own network (localhost)")
	}
	ip, err := netip.ParseAddr(host)
	if err != nil && numericHost(host) {
		// 2130706433, 0x7f000001, 127.1 or 0177.0.0.1: resolvers read
		// these the way inet_aton does, so they are judged as that address.
		if ip, err = inetAton(host); err != nil {
			return fmt.Errorf("url's host looks like an IPv4 address but is not one")
		}
	}
	if err == nil && !PublicAddress(ip) {
		return fmt.Errorf("url must not point at a private, loopback or link-local address")
	}
	return nil
}

// numericHost reports whether every dot-separated part of host is a
// number (decimal, octal with a leading 0, or hexadecimal with 0x): no
// domain name looks like that, since top-level domains are not numeric.
func numericHost(host string) bool {
	for part := range strings.SplitSeq(host, ".") {
		digits := part
		if h, ok := strings.CutPrefix(part, "0x"); ok {
			digits = h
			if strings.Trim(digits, "0123456789abcdef") != "" {
				return false
			}
			continue
		}
		if digits == "" || strings.Trim(digits, "0123456789") != "" {
			return false
		}
	}
	return true
}

// inetAton reads an IPv4 address as inet_aton(3) does: one to four parts,
// each decimal, octal (leading 0) or hexadecimal (0x), the last filling
// the bytes the others leave (127.1 is 127.0.0.1, 2130706433 is too).
func inetAton(host string) (netip.Addr, error) {
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, fmt.Errorf("too many parts")
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 0, 32)
		if p == "0x" {
			v, err = 0, nil
		} else if len(p) > 1 && p[0] == '0' && p[1] != 'x' {
			v, err = strconv.ParseUint(p[1:], 8, 32)
		}
		if err != nil {
			return netip.Addr{}, fmt.Errorf("part %q: %w", p, err)
		}
		vals[i] = v
	}
	var n uint64
	for i, v := range vals[:len(vals)-1] {
		if v > 255 {
			return netip.Addr{}, fmt.Errorf("part %d over 255", i)
		}
		n |= v << (8 * (3 - i))
	}
	last := vals[len(vals)-1]
	if last >= 1<<(8*(5-len(vals))) {
		return netip.Addr{}, fmt.Errorf("last part too large")
	}
	n |= last
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), nil
}

// nonPublic are the ranges besides loopback, private, link-local,
// multicast and unspecified addresses (which netip classifies itself) that
// a webhook may not reach: shared address space (carrier-grade NAT), "this
// network", IETF protocol assignments, benchmarking, documentation,
// reserved and broadcast addresses, and NAT64 and 6to4 translations that
// could embed any of them.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("100::/64"),
}

// PublicAddress reports whether ip is an ordinary address on the public
// internet, one a webhook may be sent to. IPv4 addresses written as IPv6
// (::ffff:127.0.0.1) are judged as IPv4.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// NewWebhookSecret returns a fresh signing secret: "whsec_" and 32 random
// bytes in standard base64, the form Standard Webhooks libraries read.
func NewWebhookSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("domain: random webhook secret: %w", err)
	}
	return WebhookSecretPrefix + base64.StdEncoding.EncodeToString(b[:]), nil
}

// WebhookSecretKey is the HMAC key of a secret: the bytes its base64 part
// stands for.
func WebhookSecretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, WebhookSecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("domain: malformed webhook secret")
	}
	return key, nil
}

// Delivery statuses of the webhook outbox.
const (
	DeliveryQueued    = "queued"
	DeliverySending   = "sending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)
