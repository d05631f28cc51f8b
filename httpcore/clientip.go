package httpcore

import (
	"log/slog"
	"net/netip"

	"github.com/gin-gonic/gin"
)

// Every per-client limit (registrations, sign-ins) counts clients by
// ClientKey. Behind a reverse proxy the connection comes from the proxy, so
// the client's address must be read from a header, and a header says
// whatever the client wants unless a proxy attend trusts wrote it.
//
// Gin's defaults do not fit: it trusts every peer, and it looks for
// X-Forwarded-For before X-Real-IP, so behind a proxy that sets only
// X-Real-IP (and passes X-Forwarded-For on untouched) a client chooses its
// own address, and its own rate limit, by sending X-Forwarded-For. attend
// reads exactly one header, CLIENT_IP_HEADER, and only when the connection
// comes from TRUSTED_PROXIES. Of a list (X-Forwarded-For), Gin takes the
// right-most address that is not a trusted proxy: entries to its left were
// written by the client, and cannot be believed.

// defaultClientIPHeader and defaultIPv6Prefix stand in for settings a
// hand-built Config leaves empty.
const (
	defaultClientIPHeader = "X-Forwarded-For"
	defaultIPv6Prefix     = 64
)

// ConfigureClientIP sets how the engine's c.ClientIP() finds the client. A malformed
// TRUSTED_PROXIES entry is logged and leaves no proxy trusted rather than
// all.
func (s *Core) ConfigureClientIP(e *gin.Engine) {
	header := s.Config.ClientIPHeader
	if header == "" {
		header = defaultClientIPHeader
	}
	e.TrustedPlatform = "" // a platform's header (App Engine, Cloudflare) is believed only as CLIENT_IP_HEADER
	e.ForwardedByClientIP = true
	e.RemoteIPHeaders = []string{header}
	if err := e.SetTrustedProxies(s.Config.TrustedProxies); err != nil {
		s.Log.Error("TRUSTED_PROXIES is malformed; trusting no proxy", slog.Any("error", err))
		_ = e.SetTrustedProxies(nil) // nil is always accepted
	}
}

// ClientKey is the client as the per-client limits count it: its IPv4
// address (also when written IPv4-mapped in IPv6), or the IPv6 prefix of
// CLIENT_IPV6_PREFIX bits that holds its address. One household, phone or
// server usually holds a whole /64, and would otherwise have 2^64
// addresses to rotate through.
func (s *Core) ClientKey(c *gin.Context) string {
	ip := c.ClientIP()
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip // Gin gives a parsable address, or "" when it has none: all such clients share one count
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String()
	}
	bits := s.Config.ClientIPv6Prefix
	if bits <= 0 || bits > 128 {
		bits = defaultIPv6Prefix
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return addr.String()
	}
	return p.String()
}
