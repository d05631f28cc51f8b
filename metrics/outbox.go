package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/attend/attend/store"
)

// outboxCollector reads the outbox's depth from the database at each
// scrape, so that what it reports is the table's state, whichever process
// changed it.
type outboxCollector struct {
	store   *store.Store
	timeout time.Duration
	emails  *prometheus.Desc
	oldest  *prometheus.Desc
}

// WatchOutbox reports the outbox's depth by state and the age of the
// oldest due email, read from st at each scrape within timeout. The
// processes that run a mail worker watch it.
func (m *Metrics) WatchOutbox(st *store.Store, timeout time.Duration) {
	if m == nil {
		return
	}
	m.reg.MustRegister(&outboxCollector{
		store: st, timeout: timeout,
		emails: prometheus.NewDesc("attend_outbox_emails",
			"Emails in the outbox not yet sent nor given up, by state: due (may be sent now), scheduled (a retry later), sending (claimed by a worker).",
			[]string{"state"}, nil),
		oldest: prometheus.NewDesc("attend_outbox_oldest_due_age_seconds",
			"How long the longest-waiting due email has been due; 0 when none is.", nil, nil),
	})
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.emails
	ch <- c.oldest
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	d, err := c.store.OutboxDepth(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.emails, err)
		return
	}
	for state, n := range map[string]int{"due": d.Due, "scheduled": d.Scheduled, "sending": d.Sending} {
		ch <- prometheus.MustNewConstMetric(c.emails, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, d.OldestDue.Seconds())
}
