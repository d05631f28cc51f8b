package store

import (
	"testing"

	"github.com/attend/attend/internal/pgtest"
)

// TestMain gives the package's tests a PostgreSQL server (see internal/pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }

// QueuedRegistrations is the number of registrations waiting for a batch
// (batch.go), for the tests that stop one on purpose.
func (s *Store) QueuedRegistrations() int {
	s.batcher.mu.Lock()
	defer s.batcher.mu.Unlock()
	return len(s.batcher.queue)
}
