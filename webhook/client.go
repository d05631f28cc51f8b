// Package webhook sends the webhook outbox: it claims due deliveries, signs
// them the Standard Webhooks way and posts them to the organizers'
// endpoints, over an HTTP client that follows no redirects and will not
// connect to the server's own network.
package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/attend/attend/domain"
)

// ErrRefusedAddress is the dial error for an address inside the server's
// own network (loopback, private, link-local, …).
var ErrRefusedAddress = errors.New("webhook: refused to connect to a private, loopback or link-local address")

// NewClient returns the client deliveries are posted with. Each request
// ends after timeout; redirects are not followed (a 3xx answer is a
// failure), no proxy from the environment is used, and unless allowPrivate
// is set the dialer refuses non-public addresses after name resolution, so
// a name that resolves (or is re-bound) to one cannot reach the internal
// network.
func NewClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = refusePrivate
	}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// refusePrivate is the dialer's Control hook: it runs with the address
// actually being connected to, after DNS.
func refusePrivate(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %s: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !domain.PublicAddress(ip) {
		return fmt.Errorf("%w (%s)", ErrRefusedAddress, host)
	}
	return nil
}

// Sign returns the webhook-signature header value for a message: "v1," and
// the base64 HMAC-SHA256, keyed with the secret's bytes, of
// "id.timestamp.body" (Standard Webhooks).
func Sign(secret, id string, timestamp time.Time, body []byte) (string, error) {
	key, err := domain.WebhookSecretKey(secret)
	if err != nil {
		return "", err
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(timestamp.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}
