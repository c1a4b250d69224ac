package bench

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkDump is issue 2's benchmark: dumping one 1 GiB file from a
// snapshot restic wrote, by both tools, from the same repository.
func BenchmarkDump(b *testing.B) {
	ours, restic := tools(b)
	n := benchSize()
	dir := b.TempDir()
	in := filepath.Join(dir, "mixed.bin")
	half := n / 2
	randomFile(b, in, half, 2)
	sqlPart := filepath.Join(dir, "sql")
	sqlFile(b, sqlPart, n-half)
	concat(b, in, sqlPart)
	repoDir := filepath.Join(dir, "repo")
	runMeasured(b, env(repoDir), "", nil, restic, "init")
	runMeasured(b, env(repoDir), in, nil, restic, "backup", "--stdin", "--stdin-filename", "db.dump", "-q")
	want := fileHash(b, in)
	for b.Loop() {
		p := pair{Name: fmt.Sprintf("dump %d MiB (restic-written repo)", n>>20), Bytes: n}
		ourOut, resticOut := sha256.New(), sha256.New()
		p.Ours = runMeasured(b, env(repoDir), "", ourOut, ours, "repo", "dump", "latest", "/db.dump")
		p.Restc = runMeasured(b, env(repoDir), "", resticOut, restic, "dump", "latest", "/db.dump")
		if got := hex.EncodeToString(ourOut.Sum(nil)); got != want {
			b.Fatalf("our dump has SHA-256 %s, the input %s", got, want)
		}
		if got := hex.EncodeToString(resticOut.Sum(nil)); got != want {
			b.Fatalf("restic's dump has SHA-256 %s, the input %s", got, want)
		}
		p.report(b)
	}
}
