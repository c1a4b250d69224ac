package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// evidenceSnapshots is the size of the evidence benchmark's repository.
const evidenceSnapshots = 1000

// evidenceRounds is how many times each tool runs; the best counts.
const evidenceRounds = 5

// evidenceConfig is the benchmark app's configuration: two SQLite
// databases and one path, a daily schedule and an RPO.
const evidenceConfig = `app: benchapp
databases:
  - name: app
    adapter: sqlite
    path: DIR/db/app.sqlite3
  - name: queue
    adapter: sqlite
    path: DIR/db/queue.sqlite3
paths: [DIR/storage]
restic:
  repository: DIR/repo
  password: {secret: RESTIC_PASSWORD}
state:
  path: DIR/state
evidence:
  rpo: 26h
`

// evidenceRepo writes, with the library, a repository of n snapshots in
// kamal-backup's shape into dir/repo: one an hour over n hours, taking
// turns between the databases app and queue and the files, each a small
// stream tagged as a backup tags it. It returns the configuration file.
func evidenceRepo(b *testing.B, dir string, n int) string {
	b.Helper()
	ctx := context.Background()
	for _, d := range []string{"storage", "state", "db"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	for _, db := range []string{"app", "queue"} { // the configuration checks they exist
		if err := os.WriteFile(filepath.Join(dir, "db", db+".sqlite3"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	config := filepath.Join(dir, "kamal-backup.yml")
	if err := os.WriteFile(config, []byte(strings.ReplaceAll(evidenceConfig, "DIR", dir)), 0o644); err != nil {
		b.Fatal(err)
	}
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		b.Fatal(err)
	}
	defer be.Close()
	// The default (calibrated) key derivation, as "repo init" and
	// restic init choose it: both tools pay it once per run.
	r, err := repo.Init(ctx, be, "bench-password", repo.InitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().UTC().Truncate(time.Hour).Add(-time.Duration(n) * time.Hour)
	host := kbackup.Hostname("benchapp", "backup")
	storage := filepath.Join(dir, "storage")
	for i := range n {
		name, tags := "storage/uploads.txt", kbackup.FileTags("benchapp", []string{storage})
		if db := []string{"app", "queue"}; i%3 < 2 {
			name = "databases/benchapp/" + db[i%3] + "/sqlite.sqlite3"
			tags = kbackup.DatabaseTags("benchapp", db[i%3], "sqlite")
		}
		content := fmt.Sprintf("backup %d of %s\n", i, name)
		opts := repo.SnapshotOptions{Host: host, Tags: tags, Time: start.Add(time.Duration(i) * time.Hour)}
		if _, err := r.BackupStream(ctx, name, strings.NewReader(content), opts); err != nil {
			b.Fatal(err)
		}
	}
	return config
}

// BenchmarkEvidence is issue 7's evidence benchmark: "kamal-backup
// evidence" on a repository of 1,000 snapshots (as a user runs it, with
// its shared lock and the tool version probes) against one "restic
// snapshots --json" on the same repository, the least the Ruby
// kamal-backup runs per database to collect the same evidence. Each runs
// evidenceRounds times in turn; the best wall time of each counts.
func BenchmarkEvidence(b *testing.B) {
	ours, restic := tools(b)
	dir := b.TempDir()
	config := evidenceRepo(b, dir, evidenceSnapshots)
	repoDir := filepath.Join(dir, "repo")
	e := append(env(repoDir), "KAMAL_BACKUP_CONFIG="+config)
	for b.Loop() {
		p := pair{Name: fmt.Sprintf("evidence, %d snapshots", evidenceSnapshots), Bytes: dirSize(b, repoDir)}
		for range evidenceRounds {
			var doc, list bytes.Buffer
			p.Ours = best(p.Ours, runMeasured(b, e, "", &doc, ours, "evidence"))
			p.Restc = best(p.Restc, runMeasured(b, e, "", &list, restic, "snapshots", "--json"))
			checkEvidenceOutputs(b, doc.Bytes(), list.Bytes())
		}
		p.report(b)
		b.ReportMetric(p.Ours.Wall.Seconds()/p.Restc.Wall.Seconds(), "time-ratio")
	}
}

// checkEvidenceOutputs checks that both tools saw every snapshot.
func checkEvidenceOutputs(b *testing.B, doc, list []byte) {
	b.Helper()
	var ev struct {
		Repository struct {
			Snapshots int `json:"snapshots"`
		} `json:"repository"`
		Latest map[string]*struct {
			ID string `json:"id"`
		} `json:"latest_database_backups"`
	}
	if err := json.Unmarshal(doc, &ev); err != nil {
		b.Fatalf("evidence: %v\n%s", err, doc)
	}
	var snaps []json.RawMessage
	if err := json.Unmarshal(list, &snaps); err != nil {
		b.Fatalf("restic snapshots --json: %v", err)
	}
	if ev.Repository.Snapshots != evidenceSnapshots || len(snaps) != evidenceSnapshots ||
		ev.Latest["app"] == nil || ev.Latest["queue"] == nil {
		b.Fatalf("evidence counted %d snapshots, restic listed %d; latest %v", ev.Repository.Snapshots, len(snaps), ev.Latest)
	}
}
