package notify

import (
	"testing"
	"time"

	"github.com/attend/attend/internal/metricstest"
	"github.com/attend/attend/internal/smtptest"
	"github.com/attend/attend/metrics"
)

// TestWorkerCountsEachOutcomeAndTimesTheServer sends one batch of three
// emails that the SMTP server refuses for now, refuses for good, and
// accepts, and reads the worker's and the sender's metrics.
func TestWorkerCountsEachOutcomeAndTimesTheServer(t *testing.T) {
	r := newWorkerRig(t, nil)
	r.queue(3)
	m := metrics.New(nil)
	w := r.worker(5 * time.Second)
	w.Metrics = m
	cfg, err := ParseSMTPURL(r.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	if w.Sender, err = NewSender(cfg, SenderOptions{From: "attend <noreply@attend.example.org>", Metrics: m}); err != nil {
		t.Fatal(err)
	}
	r.smtp.QueueModes(smtptest.ModeTempFail, smtptest.ModePermFail, smtptest.ModeAccept)
	if sent, claimed, err := w.RunBatch(r.ctx); err != nil || sent != 1 || claimed != 3 {
		t.Fatalf("RunBatch = %d sent of %d claimed, %v; want 1 of 3", sent, claimed, err)
	}

	f := metricstest.ScrapeHandler(t, m.Handler())
	for _, tt := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"attend_emails_total", map[string]string{"outcome": "sent"}, 1},
		{"attend_emails_total", map[string]string{"outcome": "retried"}, 1},
		{"attend_emails_total", map[string]string{"outcome": "failed"}, 1},
		{"attend_smtp_send_duration_seconds", map[string]string{"result": "accepted"}, 1},
		{"attend_smtp_send_duration_seconds", map[string]string{"result": "refused"}, 2},
	} {
		if got, _ := f.Value(tt.name, tt.labels); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
}
