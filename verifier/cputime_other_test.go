//go:build !unix

package verifier_test

import "time"

// processCPUTime is not measured here; benchmarks then report wall time only.
func processCPUTime() time.Duration { return 0 }
