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

// unmeasured marks a counter that could not be read: a run's CPU is then
// shown as "–", never as the counter's whole lifetime or as nothing.
const unmeasured time.Duration = -1

// cpuNow reads the counters; attendPID 0 means no attend server.
func cpuNow(attendPID int) cpuUse {
	u := cpuUse{Machine: machineBusy(), Postgres: postgresCPU(), Self: selfCPU(), Children: childrenCPU()}
	if attendPID > 0 {
		var err error
		if u.Attend, err = procCPU(attendPID); err != nil {
			u.Attend = unmeasured
		}
	}
	return u
}

func (u cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{Machine: cpuSince(u.Machine, before.Machine), Postgres: cpuSince(u.Postgres, before.Postgres),
		Attend: cpuSince(u.Attend, before.Attend), Self: cpuSince(u.Self, before.Self), Children: cpuSince(u.Children, before.Children)}
}

// cpuSince is the CPU between two readings of one counter, unmeasured
// when either is.
func cpuSince(after, before time.Duration) time.Duration {
	if after < 0 || before < 0 {
		return unmeasured
	}
	return after - before
}

// per is d for each of n operations, in microseconds.
func per(d time.Duration, n float64) string {
	if n <= 0 || d < 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", float64(d.Microseconds())/n)
}

// cpuRatio is the ratio of two sums of CPU per operation (each pair a
// duration and its count of operations), "n/a" where any was not measured.
func cpuRatio(num, den [][2]float64) string {
	sum := func(terms [][2]float64) (float64, bool) {
		var total float64
		for _, t := range terms {
			if t[0] < 0 || t[1] <= 0 {
				return 0, false
			}
			total += t[0] / t[1]
		}
		return total, true
	}
	a, okA := sum(num)
	b, okB := sum(den)
	if !okA || !okB {
		return "n/a"
	}
	return ratio(a, b)
}

// machineBusy is the time all cores spent on anything but idling, waiting
// for I/O or being stolen by the host, from /proc/stat (USER_HZ ticks).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return unmeasured
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 8 || f[0] != "cpu" {
		return unmeasured
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
	if len(procs) == 0 {
		return unmeasured // PostgreSQL on another machine, or /proc unreadable
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
