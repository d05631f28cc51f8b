package export

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// gcTarget lowers the garbage collector's target (GOGC) while workbooks are
// being built and written, and restores it when the last one is done.
// excelize's stream writer holds a sheet in memory until 16 MB of it spill
// to a temporary file (its buffer grows to about 20 MB), and with Go's
// default target the heap may grow to twice what is live before a
// collection: a 100,000-row workbook raised the server's peak RSS by 58 MB
// at GOGC=100 and by 42 MB at 50, in the same time (docs/PERFORMANCE.md).
// The attendee rows no longer go through it (sheetRows), which took that
// growth under 1 MB; the lower target still bounds the other sheets, as
// large as an event's countries and delegations.
//
// GOGC belongs to the process, so one tracker serves every export in it.
var gcTarget = &gcTracker{}

type gcTracker struct {
	mu   sync.Mutex
	busy int
	prev int // GOGC before the first enter; -1 is off
	set  bool
}

// enter lowers GOGC to percent unless it is lower already (or off), or
// percent is 0.
func (g *gcTracker) enter(percent int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.busy == 0 {
		g.prev, g.set = currentGOGC(), false
		if percent > 0 && g.prev >= 0 && percent < g.prev {
			debug.SetGCPercent(percent)
			g.set = true
		}
	}
	g.busy++
}

func (g *gcTracker) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.busy--
	if g.busy == 0 && g.set {
		debug.SetGCPercent(g.prev)
	}
}

// currentGOGC reads GOGC without changing it (-1: off).
func currentGOGC() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 100
	}
	v := s[0].Value.Uint64()
	if v > math.MaxInt32 { // reported for GOGC=off
		return -1
	}
	return int(v)
}
