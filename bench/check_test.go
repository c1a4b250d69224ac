package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// bigRepoSize is the amount of data written into the repository of the
// check and prune benchmarks: 3 GiB by default, BENCH_MIB MiB if set.
func bigRepoSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("BENCH_MIB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 3 << 30
}

// resticBackup backs up n bytes of generated data as one snapshot of
// name with restic: incompressible bytes of the given seed, or SQL-like
// text when seed is 0. The input file exists only during the backup.
func resticBackup(b *testing.B, restic, repoDir, name string, n int64, seed byte) {
	b.Helper()
	in := filepath.Join(b.TempDir(), name)
	if seed == 0 {
		sqlFile(b, in, n)
	} else {
		randomFile(b, in, n, seed)
	}
	runMeasured(b, env(repoDir), in, nil, restic, "backup", "-q", "--stdin", "--stdin-filename", name)
	if err := os.Remove(in); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCheckReadData is issue 4's check benchmark: a repository of
// several GiB written by restic (three quarters incompressible data in
// three snapshots, one quarter SQL text), checked with --read-data by
// both tools, each three times in turn; the best wall time of each counts.
func BenchmarkCheckReadData(b *testing.B) {
	ours, restic := tools(b)
	n := bigRepoSize()
	repoDir := filepath.Join(b.TempDir(), "repo")
	runMeasured(b, env(repoDir), "", nil, restic, "init")
	for i := range 3 {
		resticBackup(b, restic, repoDir, fmt.Sprintf("part%d.bin", i), n/4, byte(20+i))
	}
	resticBackup(b, restic, repoDir, "dump.sql", n-3*(n/4), 0)
	size := dirSize(b, repoDir)
	for b.Loop() {
		p := pair{Name: fmt.Sprintf("check --read-data %.1f GiB repo", float64(size)/(1<<30)), Bytes: size}
		// Alternate the tools and keep each one's best run, so that a
		// burst of load from elsewhere on the machine does not decide.
		for range checkRounds {
			p.Ours = best(p.Ours, runMeasured(b, env(repoDir), "", nil, ours, "repo", "check", "--read-data"))
			p.Restc = best(p.Restc, runMeasured(b, env(repoDir), "", nil, restic, "check", "-q", "--read-data"))
		}
		p.report(b)
	}
}

// checkRounds is how many times each tool checks the repository.
const checkRounds = 3

// best returns the faster of two runs (a zero measurement counts as none)
// with the higher peak RSS of both.
func best(a, b measurement) measurement {
	if a.Wall == 0 {
		return b
	}
	m := a
	if b.Wall < a.Wall {
		m = b
	}
	m.RSSMiB = max(a.RSSMiB, b.RSSMiB)
	return m
}
