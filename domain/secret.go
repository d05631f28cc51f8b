package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// TokenLength is the length of a token's text: 32 random bytes in base64url
// without padding.
const TokenLength = 43

// NewToken returns a fresh secret (256 random bits, base64url) and the
// SHA-256 hash that is the only thing ever stored. A database dump therefore
// holds no working link or API token.
func NewToken() (plain string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, fmt.Errorf("domain: random token: %w", err)
	}
	plain = base64.RawURLEncoding.EncodeToString(b[:])
	return plain, HashToken(plain), nil
}

// HashToken returns the stored form of a token.
func HashToken(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// ValidTokenSyntax reports whether s could be a token at all, so malformed
// input is refused before it reaches the database.
func ValidTokenSyntax(s string) bool {
	if len(s) != TokenLength {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil && len(b) == 32
}
