package notify

import (
	"sync"
	"time"
)

// zoneCache keeps the time zones emails were rendered in. time.LoadLocation
// reads and parses the zone's file on every call, which was a visible part
// of rendering each email; a *time.Location never changes once loaded, so
// one per name serves every email and goroutine.
type zoneCache struct {
	m sync.Map // zone name → *time.Location
}

// load is time.LoadLocation, once per name; a name that fails to load is
// not kept, so the error is returned each time.
func (z *zoneCache) load(name string) (*time.Location, error) {
	if loc, ok := z.m.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z.m.Store(name, loc)
	return loc, nil
}
