// Package seal encrypts small secrets (emailed link tokens) while they wait
// in the outbox, so that a database dump alone yields no working link.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sealer seals and opens with a key derived from SECRET_KEY.
type Sealer struct {
	aead cipher.AEAD
}

// New derives an AES-256-GCM key from secret with HKDF.
func New(secret []byte) (*Sealer, error) {
	if len(secret) < 32 {
		return nil, errors.New("seal: secret must be at least 32 bytes")
	}
	key, err := hkdf.Key(sha256.New, secret, nil, "attend outbox seal v1", 32)
	if err != nil {
		return nil, fmt.Errorf("seal: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain and returns base64url text.
func (s *Sealer) Seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), nil)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open reverses Seal; it fails for text sealed with another key.
func (s *Sealer) Open(sealed string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("seal: malformed sealed text")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", errors.New("seal: cannot open (wrong SECRET_KEY?)")
	}
	return string(plain), nil
}
