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
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// postgresCPU sums the processor time of every process named postgres,
// and, for the postmaster (whose parent is not postgres), that of its
// children already reaped: backends of clients that have disconnected,
// such as pgbench's.
func postgresCPU() time.Duration {
	type proc struct {
		parent      int
		own, reaped int64 // USER_HZ ticks
	}
	procs := map[int]proc{}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(s[end+1:]) // state ppid ... utime(11) stime cutime cstime
		if len(f) < 15 {
			continue
		}
		n := make([]int64, 15)
		for _, i := range []int{1, 11, 12, 13, 14} {
			n[i], _ = strconv.ParseInt(f[i], 10, 64)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(s[:open]))
		procs[pid] = proc{parent: int(n[1]), own: n[11] + n[12], reaped: n[13] + n[14]}
	}
	var ticks int64
	for _, p := range procs {
		ticks += p.own
		if _, child := procs[p.parent]; !child {
			ticks += p.reaped
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// childrenCPU is the processor time of this process's reaped children.
func childrenCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
