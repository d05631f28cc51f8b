package notify

import (
	"testing"
	"time"
)

func TestTheZoneCacheLoadsEachZoneOnce(t *testing.T) {
	var z zoneCache
	a, err := z.load("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	b, err := z.load("Asia/Tashkent")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("the second load of a zone read it again")
	}
	if c, err := z.load("Europe/Berlin"); err != nil || c == a || c.String() != "Europe/Berlin" {
		t.Fatalf("another zone = %v, %v", c, err)
	}
	// A name that does not load keeps failing; nothing is kept for it.
	for range 2 {
		if _, err := z.load("Nowhere/Atlantis"); err == nil {
			t.Fatal("an unknown zone loaded")
		}
	}
	if _, ok := z.m.Load("Nowhere/Atlantis"); ok {
		t.Fatal("a failed zone was cached")
	}
	want := time.Date(2026, 5, 30, 12, 0, 0, 0, a)
	if _, off := want.Zone(); off != 5*3600 {
		t.Fatalf("Tashkent offset = %d", off)
	}
}
