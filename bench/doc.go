// Package bench holds the side-by-side benchmarks behind `make bench`: each
// runs kamal-backup's CLI and the pinned restic 0.18.1 as child processes
// on the same data on the same machine, and reports wall time, throughput,
// peak RSS, repository size and our/restic ratios.
package bench
