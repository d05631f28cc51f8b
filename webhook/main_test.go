package webhook_test

import (
	"testing"

	"github.com/attend/attend/internal/pgtest"
)

// TestMain gives the package's tests a PostgreSQL server (see internal/pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }
