package domain_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/attend/attend/domain"
)

func TestNewToken(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		plain, hash, err := domain.NewToken()
		if err != nil {
			t.Fatalf("NewToken: %v", err)
		}
		if len(plain) != 43 || domain.TokenLength != 43 {
			t.Fatalf("token %q has %d characters, want 43", plain, len(plain))
		}
		raw, err := base64.RawURLEncoding.DecodeString(plain)
		if err != nil || len(raw) != 32 {
			t.Fatalf("token %q is not 32 bytes of base64url: %v", plain, err)
		}
		if strings.ContainsAny(plain, "+/=") {
			t.Fatalf("token %q is not URL-safe", plain)
		}
		want := sha256.Sum256([]byte(plain))
		if !bytes.Equal(hash, want[:]) {
			t.Fatalf("hash of %q is %x, want its SHA-256 %x", plain, hash, want)
		}
		if !bytes.Equal(domain.HashToken(plain), hash) {
			t.Fatalf("HashToken(%q) differs from the hash NewToken returned", plain)
		}
		if !domain.ValidTokenSyntax(plain) {
			t.Fatalf("ValidTokenSyntax(%q) = false for a fresh token", plain)
		}
		if seen[plain] {
			t.Fatalf("token %q was issued twice", plain)
		}
		seen[plain] = true
	}
}

func TestHashTokenIsSHA256(t *testing.T) {
	// The SHA-256 test vector of "abc" (FIPS 180-2).
	want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := hex.EncodeToString(domain.HashToken("abc")); got != want {
		t.Errorf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestValidTokenSyntax(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"43 base64url characters are a token", strings.Repeat("A", 42) + "E", true},
		{"URL-safe symbols are allowed", strings.Repeat("-_", 21) + "A", true},
		{"an empty string is not a token", "", false},
		{"42 characters are too short", strings.Repeat("A", 42), false},
		{"44 characters are too long", strings.Repeat("A", 44), false},
		{"padding is refused", strings.Repeat("A", 42) + "=", false},
		{"standard base64 symbols are refused", strings.Repeat("A", 41) + "+/", false},
		{"a space is refused", strings.Repeat("A", 42) + " ", false},
		{"non-zero trailing bits are refused (strict decoding)", strings.Repeat("A", 42) + "B", false},
		{"non-ASCII text is refused", strings.Repeat("A", 41) + "é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := domain.ValidTokenSyntax(tt.in); got != tt.want {
				t.Errorf("ValidTokenSyntax(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
