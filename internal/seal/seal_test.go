package seal

import (
	"strings"
	"testing"
)

func TestSealRoundTripAndWrongKey(t *testing.T) {
	a, err := New([]byte(strings.Repeat("a", 32)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New([]byte(strings.Repeat("b", 32)))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := a.Seal("token-value")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "token-value") {
		t.Fatal("sealed text contains the plain text")
	}
	got, err := a.Open(sealed)
	if err != nil || got != "token-value" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed); err == nil {
		t.Fatal("opening with another key succeeded")
	}
	if _, err := a.Open("!!"); err == nil {
		t.Fatal("opening garbage succeeded")
	}
	if _, err := New([]byte("short")); err == nil {
		t.Fatal("short secret accepted")
	}
}
