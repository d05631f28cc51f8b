package domain

import (
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
)

// passwordParams are OWASP's recommended Argon2id settings (19 MiB, 2
// iterations, 1 lane).
var passwordParams = &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// Password length limits; the upper bound keeps hashing cost bounded.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// HashPassword checks a new password's length and returns its Argon2id hash.
func HashPassword(pw string) (string, error) {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength || len(pw) > MaxPasswordLength {
		return "", ValidationError([]FieldError{{Field: "password", Code: "length",
			Param:   fmt.Sprintf("%d-%d", MinPasswordLength, MaxPasswordLength),
			Message: fmt.Sprintf("Password must be %d to %d characters long.", MinPasswordLength, MaxPasswordLength)}})
	}
	h, err := argon2id.CreateHash(pw, passwordParams)
	if err != nil {
		return "", fmt.Errorf("domain: hash password: %w", err)
	}
	return h, nil
}

// dummyHash is compared against when an account does not exist, so a login
// for an unknown email costs the same time as one for a known email.
var dummyHash = sync.OnceValue(func() string {
	h, _ := argon2id.CreateHash("attend-dummy-password", passwordParams) // only fails if crypto/rand does
	return h
})

// CheckPassword reports whether pw matches hash; an empty hash (no password
// set, or no such account) never matches but costs the same.
func CheckPassword(pw, hash string) bool {
	if hash == "" || len(pw) > MaxPasswordLength {
		_, _ = argon2id.ComparePasswordAndHash(pw, dummyHash())
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}
