package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options change what the server offers; the zero value is plain SMTP
// without STARTTLS and without login, as Start runs it.
type Options struct {
	// STARTTLS offers STARTTLS with a certificate for 127.0.0.1 made for
	// this server; clients trust it through RootCAs.
	STARTTLS bool
	// Auth lists the SASL mechanisms offered, of PLAIN, LOGIN and CRAM-MD5,
	// each checking Username and Password; with Auth set, MAIL needs a
	// login first. They are offered only after STARTTLS unless
	// AuthWithoutTLS, as a careless server would.
	Auth           []string
	AuthWithoutTLS bool
	Username       string
	Password       string
}

// errAuthRequired is RFC 4954's answer to MAIL before a login.
var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

// mechanisms the server can check.
var mechanisms = map[string]bool{sasl.Plain: true, sasl.Login: true, "CRAM-MD5": true}

// selfSigned makes a certificate for 127.0.0.1 and localhost, valid for a
// day, and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}

// AuthMechanisms is what the server offers in EHLO (go-smtp's AuthSession).
func (se *session) AuthMechanisms() []string { return se.server.opts.Auth }

// Auth starts a login with mech, recording the attempt.
func (se *session) Auth(mech string) (sasl.Server, error) {
	se.server.mu.Lock()
	se.server.authAttempts = append(se.server.authAttempts, mech)
	se.server.mu.Unlock()
	offered := false
	for _, m := range se.server.opts.Auth {
		offered = offered || strings.EqualFold(m, mech)
	}
	if !offered {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	opts := se.server.opts
	check := func(user, pass string) error {
		if user != opts.Username || pass != opts.Password {
			return smtp.ErrAuthFailed
		}
		se.auth = mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	case "CRAM-MD5":
		return &cramMD5Server{password: opts.Password, check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

// loginServer is the server side of LOGIN: user name, then password, each
// asked for and sent in base64 (which go-smtp handles).
type loginServer struct {
	check func(user, pass string) error
	user  *string
}

func (l *loginServer) Next(response []byte) ([]byte, bool, error) {
	switch {
	case l.user == nil && response == nil:
		return []byte("Username:"), false, nil
	case l.user == nil:
		u := string(response)
		l.user = &u
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(*l.user, string(response))
	}
}

// cramMD5Server is the server side of CRAM-MD5 (RFC 2195): a challenge,
// answered with the user name and the challenge's HMAC-MD5 keyed with the
// password, so the password itself never crosses the wire.
type cramMD5Server struct {
	password  string
	check     func(user, pass string) error
	challenge []byte
}

func (c *cramMD5Server) Next(response []byte) ([]byte, bool, error) {
	if c.challenge == nil {
		var nonce [8]byte
		_, _ = rand.Read(nonce[:]) // crypto/rand does not fail on supported platforms
		c.challenge = fmt.Appendf(nil, "<%x.%d@smtptest.localhost>", nonce, time.Now().Unix())
		return c.challenge, false, nil
	}
	user, digest, ok := bytes.Cut(response, []byte(" "))
	if !ok {
		return nil, true, smtp.ErrAuthFailed
	}
	mac := hmac.New(md5.New, []byte(c.password))
	mac.Write(c.challenge)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal(digest, []byte(want)) {
		return nil, true, smtp.ErrAuthFailed
	}
	// The digest proved the password; check the user name with it.
	return nil, true, c.check(string(user), c.password)
}
