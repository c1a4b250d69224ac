package bench

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkPrune is issue 4's prune benchmark: restic writes two
// snapshots of equal size, of different data, into one repository and
// forgets the first; the repository is copied, and each tool prunes its
// own identical copy, which frees half the data. restic check must accept
// the copy we pruned.
func BenchmarkPrune(b *testing.B) {
	ours, restic := tools(b)
	n := bigRepoSize() / 2
	for b.Loop() {
		dir := b.TempDir()
		ourRepo, resticRepo := filepath.Join(dir, "ours"), filepath.Join(dir, "restic")
		runMeasured(b, env(ourRepo), "", nil, restic, "init")
		resticBackup(b, restic, ourRepo, "first.bin", n, 31)
		resticBackup(b, restic, ourRepo, "second.bin", n, 32)
		var out bytes.Buffer
		runMeasured(b, env(ourRepo), "", &out, restic, "snapshots", "--json")
		var snaps []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(out.Bytes(), &snaps); err != nil || len(snaps) != 2 {
			b.Fatalf("restic snapshots: %v\n%s", err, out.String())
		}
		runMeasured(b, env(ourRepo), "", nil, restic, "forget", "-q", snaps[0].ID)
		if out, err := exec.Command("cp", "-a", ourRepo, resticRepo).CombinedOutput(); err != nil {
			b.Fatalf("cp -a: %v\n%s", err, out)
		}
		before := dirSize(b, ourRepo)

		p := pair{Name: "prune half of the data (restic repo)", Bytes: before}
		p.Ours = runMeasured(b, env(ourRepo), "", nil, ours, "repo", "prune")
		p.Restc = runMeasured(b, env(resticRepo), "", nil, restic, "prune", "-q")
		p.OurSize, p.ResticSize = dirSize(b, ourRepo), dirSize(b, resticRepo)
		p.report(b)
		if p.OurSize > before/2+before/20 {
			b.Errorf("our prune left %d of %d bytes; half should be gone", p.OurSize, before)
		}
		runMeasured(b, env(ourRepo), "", nil, restic, "check", "-q")
	}
}
