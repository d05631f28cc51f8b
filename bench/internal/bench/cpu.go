package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuUse is processor time spent on the machine and by the parts of a
// measurement: where a registration's CPU goes, against where a pgbench
// transaction's goes. On two cores shared by all of them, this is what
// bounds a throughput ratio once the cores are busy.
type cpuUse struct {
	Machine  time.Duration // all cores busy (user, nice, system, irq, softirq; /proc/stat)
	Postgres time.Duration // every postgres process, live or already reaped by the postmaster
	Attend   time.Duration // the attend server measured, if any
	Self     time.Duration // this process: the load generator
	Children time.Duration // this process's reaped children (pgbench)
}

// cpuNow reads the counters; attendPID 0 means no attend server.
func cpuNow(attendPID int) cpuUse {
	u := cpuUse{Machine: machineBusy(), Postgres: postgresCPU(), Self: selfCPU(), Children: childrenCPU()}
	if attendPID > 0 {
		u.Attend, _ = procCPU(attendPID)
	}
	return u
}

func (u cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{Machine: u.Machine - before.Machine, Postgres: u.Postgres - before.Postgres,
		Attend: u.Attend - before.Attend, Self: u.Self - before.Self, Children: u.Children - before.Children}
}

// per is d for each of n operations, in microseconds.
func per(d time.Duration, n float64) string {
	if n <= 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/n)
}

// machineBusy is the time all cores spent on anything but idling, waiting
// for I/O or being stolen by the host, from /proc/stat (USER_HZ ticks).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	return ticks(f, 1, 2, 3, 6, 7)
}

// postgresCPU sums the processor time of every process named postgres,
// and, for the postmaster (whose parent is not postgres), that of its
// children already reaped: backends of clients that have disconnected,
// such as pgbench's.
func postgresCPU() time.Duration {
	type proc struct {
		parent      int
		own, reaped time.Duration
	}
	procs := map[int]proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		pid, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err != nil {
			continue
		}
		name, f, err := procStatFields(pid)
		if err != nil || name != "postgres" {
			continue
		}
		parent, _ := strconv.Atoi(f[1])
		procs[pid] = proc{parent: parent, own: ticks(f, 11, 12), reaped: ticks(f, 13, 14)}
	}
	var total time.Duration
	for _, p := range procs {
		total += p.own
		if _, child := procs[p.parent]; !child {
			total += p.reaped
		}
	}
	return total
}

// childrenCPU is the processor time of this process's reaped children.
func childrenCPU() time.Duration { return rusageCPU(syscall.RUSAGE_CHILDREN) }
