package metrics

import (
	"testing"
	"time"
)

// TestObservingARequestDoesNotAllocate keeps the per-request cost of the
// metrics to a map lookup: once a series exists, recording a request into
// it allocates nothing.
func TestObservingARequestDoesNotAllocate(t *testing.T) {
	m := New(nil)
	observe := func() { m.ObserveRequest("POST", "/api/v1/events/:slug/registrations", 202, time.Millisecond) }
	observe()
	if n := testing.AllocsPerRun(100, observe); n != 0 {
		t.Errorf("a request into an existing series allocates %v times, want 0", n)
	}
}

// TestANilMetricsCountsNothing is metrics off (METRICS_ADDR unset): every
// report is a no-op rather than a crash.
func TestANilMetricsCountsNothing(t *testing.T) {
	var m *Metrics
	m.ObserveRequest("GET", "/", 200, time.Millisecond)
	m.Registration(Registered)
	m.Emails(EmailSent, 1)
	m.SMTPSend(SMTPAccepted, time.Millisecond)
	m.RegisterBatch(3, time.Millisecond)
	m.WatchDB(nil)
	m.WatchOutbox(nil, time.Second)
	if job := m.Job("j", nil); job != nil {
		t.Error("Job on nil metrics wrapped the job")
	}
}

// BenchmarkObserveRequest is the cost the metrics add to a request.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(nil)
	for b.Loop() {
		m.ObserveRequest("POST", "/api/v1/events/:slug/registrations", 202, time.Millisecond)
	}
}
