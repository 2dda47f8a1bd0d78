//go:build unix

package verifier_test

import (
	"syscall"
	"time"
)

// processCPUTime is the CPU time this process has used, so benchmarks can report a cost
// per core that does not depend on how busy the machine is.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
