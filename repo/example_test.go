package repo_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// exampleKDF makes key derivation cheap so the examples run fast. Real
// repositories leave InitOptions.KDF zero: Init then calibrates scrypt as
// restic does (about half a second per password check).
var exampleKDF = repo.KDFParams{N: 1024, R: 8, P: 1}

// A database dump streamed into a new repository on disk and read back
// from it: what "pg_dump | restic backup --stdin" and "restic dump" do.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "repo-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// Any backend works; location.Open turns a RESTIC_REPOSITORY string
	// (s3:..., rest:..., sftp:..., a path) into one.
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		log.Fatal(err)
	}
	r, err := repo.Init(ctx, be, "correct horse", repo.InitOptions{KDF: exampleKDF})
	if err != nil {
		log.Fatal(err)
	}
	dump := strings.NewReader("CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n")
	sn, err := r.BackupStream(ctx, "databases/app/app/postgres.pgdump", dump,
		repo.SnapshotOptions{Tags: []string{"kamal-backup", "app:app"}, Host: "web-1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("paths:", sn.Paths, "tags:", sn.Tags)

	// Later, possibly in another process: open with the password and
	// read the dump back as a stream.
	r, err = repo.Open(ctx, be, "correct horse", repo.Options{})
	if err != nil {
		log.Fatal(err)
	}
	latest, err := r.FindSnapshot(ctx, "latest", repo.Filter{Tags: [][]string{{"app:app"}}})
	if err != nil {
		log.Fatal(err)
	}
	rc, err := r.OpenFile(ctx, latest, "databases/app/app/postgres.pgdump")
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	if _, err := io.Copy(os.Stdout, rc); err != nil {
		log.Fatal(err)
	}
	// Output:
	// paths: [/databases/app/app/postgres.pgdump] tags: [kamal-backup app:app]
	// CREATE TABLE t (id int);
	// INSERT INTO t VALUES (1);
}

// Snapshots are selected as restic's --host, --tag and --path flags
// select them.
func ExampleRepository_Snapshots() {
	ctx := context.Background()
	r, err := repo.Init(ctx, mem.New(), "pw", repo.InitOptions{KDF: exampleKDF})
	if err != nil {
		log.Fatal(err)
	}
	for _, db := range []string{"app", "cache", "queue"} {
		_, err := r.BackupStream(ctx, "databases/app/"+db+"/sqlite.sqlite3", strings.NewReader(db),
			repo.SnapshotOptions{Host: "web-1", Tags: []string{"app:app", "database:" + db}})
		if err != nil {
			log.Fatal(err)
		}
	}
	// "--tag database:app --tag database:queue": either list matches.
	snaps, err := r.Snapshots(ctx, repo.Filter{Tags: [][]string{{"database:app"}, {"database:queue"}}})
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range snaps {
		fmt.Println(s.Hostname, s.Paths[0])
	}
	// Unordered output:
	// web-1 /databases/app/app/sqlite.sqlite3
	// web-1 /databases/app/queue/sqlite.sqlite3
}

// Check verifies the index, the packs and every snapshot's trees; with a
// data subset it also downloads and verifies that share of the packs.
func ExampleRepository_Check() {
	ctx := context.Background()
	r, err := repo.Init(ctx, mem.New(), "pw", repo.InitOptions{KDF: exampleKDF})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := r.BackupStream(ctx, "app.sql", strings.NewReader("SELECT 1;\n"), repo.SnapshotOptions{Host: "h"}); err != nil {
		log.Fatal(err)
	}
	res, err := r.Check(ctx, repo.CheckOptions{ReadDataSubset: "100%"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("ok:", res.OK(), "snapshots:", res.SnapshotsChecked, "packs read:", res.PacksRead, "of", res.PacksTotal)
	// Output:
	// ok: true snapshots: 1 packs read: 2 of 2
}

// A retention policy is decided by the retention package and carried out
// with Forget (then Prune frees the data no snapshot uses).
func ExampleRepository_Forget() {
	ctx := context.Background()
	r, err := repo.Init(ctx, mem.New(), "pw", repo.InitOptions{KDF: exampleKDF})
	if err != nil {
		log.Fatal(err)
	}
	day := time.Date(2025, 3, 1, 3, 0, 0, 0, time.UTC)
	for i := range 5 {
		_, err := r.BackupStream(ctx, "app.sql", strings.NewReader(fmt.Sprint("day ", i)),
			repo.SnapshotOptions{Host: "h", Time: day.AddDate(0, 0, i)})
		if err != nil {
			log.Fatal(err)
		}
	}
	snaps, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		log.Fatal(err)
	}
	keep, remove, _ := retention.Apply(snaps, retention.Policy{Daily: 2}, day.AddDate(0, 0, 5))
	ids := make([]repo.ID, 0, len(remove))
	for _, s := range remove {
		ids = append(ids, s.ID())
	}
	if err := r.Forget(ctx, ids); err != nil {
		log.Fatal(err)
	}
	left, err := r.Snapshots(ctx, repo.Filter{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("kept:", len(keep), "removed:", len(remove), "left:", len(left))
	for _, s := range keep {
		fmt.Println(s.Time.Format(time.DateOnly))
	}
	// Output:
	// kept: 2 removed: 3 left: 2
	// 2025-03-05
	// 2025-03-04
}
