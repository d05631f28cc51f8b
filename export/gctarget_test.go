package export

import (
	"runtime/debug"
	"testing"
)

// TestGCTargetLowersAndRestoresGOGC checks the collector's target while
// workbooks are built: lowered by the first, restored by the last, and
// never raised above (or switched on from) what the operator set.
func TestGCTargetLowersAndRestoresGOGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	g := &gcTracker{}

	g.enter(50)
	g.enter(50)
	if got := currentGOGC(); got != 50 {
		t.Errorf("while two workbooks are built: GOGC %d, want 50", got)
	}
	g.leave()
	if got := currentGOGC(); got != 50 {
		t.Errorf("while one is still built: GOGC %d, want 50", got)
	}
	g.leave()
	if got := currentGOGC(); got != 100 {
		t.Errorf("after the last: GOGC %d, want 100 back", got)
	}

	for _, operator := range []int{20, -1} {
		debug.SetGCPercent(operator)
		g.enter(50)
		if got := currentGOGC(); got != operator {
			t.Errorf("with GOGC %d set: %d while building, want it kept", operator, got)
		}
		g.leave()
		if got := currentGOGC(); got != operator {
			t.Errorf("with GOGC %d set: %d after, want it kept", operator, got)
		}
	}

	debug.SetGCPercent(100)
	g.enter(0)
	if got := currentGOGC(); got != 100 {
		t.Errorf("EXPORT_GC_PERCENT 0: GOGC %d while building, want 100 untouched", got)
	}
	g.leave()
}
