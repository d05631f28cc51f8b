package notify

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestWorkerSendsOverAtMostItsConnections drains with twice as many batches
// claimed and rendered as the worker has connections: the batches ready
// before a connection is free wait for one, so no more than Connections
// batches are ever being sent at once.
func TestWorkerSendsOverAtMostItsConnections(t *testing.T) {
	r := newWorkerRig(t, nil)
	const n = 120
	r.queue(n)
	w := r.worker(5 * time.Second)
	w.Connections, w.BatchSize = 2, 10
	counted := &concurrentSends{BatchSender: w.Sender}
	w.Sender = counted
	if got, err := w.Drain(r.ctx, r.ctx); err != nil || got != n {
		t.Fatalf("Drain = %d sent, %v; want %d", got, err, n)
	}
	r.checkSentOnce(n)
	if counted.most > w.Connections {
		t.Errorf("%d batches were sent at once, more than the %d connections", counted.most, w.Connections)
	}
}

// concurrentSends counts the batches being sent at once.
type concurrentSends struct {
	BatchSender
	mu        sync.Mutex
	now, most int
}

func (c *concurrentSends) SendBatchFunc(ctx context.Context, emails []Email, accepted func(int)) []error {
	c.mu.Lock()
	c.now++
	c.most = max(c.most, c.now)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	return c.BatchSender.SendBatchFunc(ctx, emails, accepted)
}
