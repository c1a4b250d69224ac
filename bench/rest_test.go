package bench

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// restEnv returns the environment both tools use for the repository name
// on srv: the location without credentials, which come from
// RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD, and a cache of its own.
func restEnv(b *testing.B, srv *testenv.RESTServer, name string) []string {
	b.Helper()
	return append(srv.Env(), "RESTIC_REPOSITORY="+srv.Location(name), "RESTIC_PASSWORD=bench-password",
		"RESTIC_CACHE_DIR="+filepath.Join(b.TempDir(), "cache"))
}

// BenchmarkBackupStreamREST is the REST half of issue 8's benchmark: a
// 1 GiB (BENCH_MIB) incompressible stream backed up to one loopback
// rest-server, by us and by restic into separate repositories on it.
func BenchmarkBackupStreamREST(b *testing.B) {
	n := benchSize()
	in := filepath.Join(b.TempDir(), "random.bin")
	randomFile(b, in, n, 1)
	ours, restic := tools(b)
	srv := testenv.StartRESTServer(b, testenv.RESTServerOpts{})
	round := 0
	for b.Loop() {
		round++
		ourName, resticName := "ours"+strconv.Itoa(round), "restic"+strconv.Itoa(round)
		ourEnv, resticEnv := restEnv(b, srv, ourName), restEnv(b, srv, resticName)
		runMeasured(b, ourEnv, "", nil, ours, "repo", "init")
		runMeasured(b, resticEnv, "", nil, restic, "init")
		p := pair{Name: "backup stream to rest-server", Bytes: n}
		p.Ours = runMeasured(b, ourEnv, in, nil, ours, "repo", "backup", "--stdin", "--stdin-filename", "dump.sql")
		p.Restc = runMeasured(b, resticEnv, in, nil, restic, "backup", "--stdin", "--stdin-filename", "dump.sql", "-q")
		p.OurSize, p.ResticSize = dirSize(b, filepath.Join(srv.Dir, ourName)), dirSize(b, filepath.Join(srv.Dir, resticName))
		p.report(b)
	}
}
