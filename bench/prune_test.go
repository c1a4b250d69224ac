package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// pruneRounds is how many times each tool prunes a fresh copy.
const pruneRounds = 2

// BenchmarkPrune is issue 4's prune benchmark: restic writes two
// snapshots of equal size, of different data, into one repository and
// forgets the first. Each round, the repository is copied twice and each
// tool prunes its own identical copy, which frees half the data; the best
// wall time of each tool counts. restic check must accept every copy we
// pruned.
func BenchmarkPrune(b *testing.B) {
	ours, restic := tools(b)
	n := bigRepoSize() / 2
	for b.Loop() {
		dir := b.TempDir()
		pristine := filepath.Join(dir, "pristine")
		halfForgotten(b, restic, pristine, n)
		before := dirSize(b, pristine)
		p := pair{Name: "prune half of the data (restic repo)", Bytes: before}
		for round := range pruneRounds {
			ourRepo, resticRepo := copyRepo(b, pristine, fmt.Sprint("ours", round)), copyRepo(b, pristine, fmt.Sprint("restic", round))
			p.Ours = best(p.Ours, runMeasured(b, env(ourRepo), "", nil, ours, "repo", "prune"))
			p.Restc = best(p.Restc, runMeasured(b, env(resticRepo), "", nil, restic, "prune", "-q"))
			p.OurSize, p.ResticSize = dirSize(b, ourRepo), dirSize(b, resticRepo)
			if p.OurSize > before/2+before/20 {
				b.Errorf("our prune left %d of %d bytes; half should be gone", p.OurSize, before)
			}
			runMeasured(b, env(ourRepo), "", nil, restic, "check", "-q")
			for _, d := range []string{ourRepo, resticRepo} {
				if err := os.RemoveAll(d); err != nil {
					b.Fatal(err)
				}
			}
		}
		p.report(b)
	}
}

// halfForgotten makes a restic repository at repoDir holding two
// snapshots of n incompressible bytes each, of different data, and
// forgets the first with restic.
func halfForgotten(b *testing.B, restic, repoDir string, n int64) {
	b.Helper()
	runMeasured(b, env(repoDir), "", nil, restic, "init")
	resticBackup(b, restic, repoDir, "first.bin", n, 31)
	resticBackup(b, restic, repoDir, "second.bin", n, 32)
	var out bytes.Buffer
	runMeasured(b, env(repoDir), "", &out, restic, "snapshots", "--json")
	var snaps []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out.Bytes(), &snaps); err != nil || len(snaps) != 2 {
		b.Fatalf("restic snapshots: %v\n%s", err, out.String())
	}
	runMeasured(b, env(repoDir), "", nil, restic, "forget", "-q", snaps[0].ID)
}

// copyRepo copies a repository with cp -a next to it, under name.
func copyRepo(b *testing.B, src, name string) string {
	b.Helper()
	dst := filepath.Join(filepath.Dir(src), name)
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		b.Fatalf("cp -a: %v\n%s", err, out)
	}
	return dst
}
