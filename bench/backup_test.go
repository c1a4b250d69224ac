package bench

import (
	"path/filepath"
	"testing"
)

// initBoth creates one repository per tool.
func initBoth(b *testing.B, ours, restic string) (ourRepo, resticRepo string) {
	b.Helper()
	dir := b.TempDir()
	ourRepo, resticRepo = filepath.Join(dir, "ours"), filepath.Join(dir, "restic")
	runMeasured(b, env(ourRepo), "", nil, ours, "repo", "init")
	runMeasured(b, env(resticRepo), "", nil, restic, "init")
	return ourRepo, resticRepo
}

func benchStream(b *testing.B, name, input string, size int64) {
	ours, restic := tools(b)
	for b.Loop() {
		ourRepo, resticRepo := initBoth(b, ours, restic)
		p := pair{Name: name, Bytes: size}
		p.Ours = runMeasured(b, env(ourRepo), input, nil, ours, "repo", "backup", "--stdin", "--stdin-filename", "dump.sql")
		p.Restc = runMeasured(b, env(resticRepo), input, nil, restic, "backup", "--stdin", "--stdin-filename", "dump.sql", "-q")
		p.OurSize, p.ResticSize = dirSize(b, ourRepo), dirSize(b, resticRepo)
		p.report(b)
	}
}

// BenchmarkBackupStreamRandom is case (a) of issue 3: a 1 GiB
// incompressible stream.
func BenchmarkBackupStreamRandom(b *testing.B) {
	n := benchSize()
	in := filepath.Join(b.TempDir(), "random.bin")
	randomFile(b, in, n, 1)
	benchStream(b, "backup stream, incompressible", in, n)
}

// BenchmarkBackupStreamSQL is case (b) of issue 3: a 1 GiB text stream
// shaped like a pg_dump plain dump, at restic's default compression.
func BenchmarkBackupStreamSQL(b *testing.B) {
	n := benchSize()
	in := filepath.Join(b.TempDir(), "dump.sql")
	sqlFile(b, in, n)
	benchStream(b, "backup stream, SQL text", in, n)
}

// BenchmarkBackupDirectory is case (c) of issue 3: 20,000 files of mixed
// sizes, a first backup and an unchanged second backup.
func BenchmarkBackupDirectory(b *testing.B) {
	ours, restic := tools(b)
	src := filepath.Join(b.TempDir(), "src")
	total := manyFiles(b, src, 20000)
	for b.Loop() {
		ourRepo, resticRepo := initBoth(b, ours, restic)
		first := pair{Name: "backup 20k files, first", Bytes: total}
		first.Ours = runMeasured(b, env(ourRepo), "", nil, ours, "repo", "backup", src)
		first.Restc = runMeasured(b, env(resticRepo), "", nil, restic, "backup", "-q", src)
		first.OurSize, first.ResticSize = dirSize(b, ourRepo), dirSize(b, resticRepo)
		first.report(b)
		second := pair{Name: "backup 20k files, unchanged", Bytes: total}
		second.Ours = runMeasured(b, env(ourRepo), "", nil, ours, "repo", "backup", src)
		second.Restc = runMeasured(b, env(resticRepo), "", nil, restic, "backup", "-q", src)
		second.OurSize, second.ResticSize = dirSize(b, ourRepo), dirSize(b, resticRepo)
		second.report(b)
	}
}
