package evidence

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// TestGolden collects the evidence of an app backed up daily for ten
// days, checked two days ago and drilled five days ago, and compares
// every rendering with its golden file.
func TestGolden(t *testing.T) {
	t.Parallel()
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 10)
	f.writeRecords(t)
	f.writeCoverage(t)
	doc := f.collect(t)

	if got := f.be.lists[backend.SnapshotFile].Load(); got != 1 {
		t.Errorf("the snapshots were listed %d times, want once for every source", got)
	}
	if doc.Objectives.Verdict != VerdictPass {
		t.Errorf("verdict %s, want pass: %v", doc.Objectives.Verdict, doc.Objectives.Reasons)
	}
	checkSize(t, f, doc)
	stableCoverage(t, doc)
	for _, tc := range []struct{ format, file string }{
		{FormatJSON, "evidence.json"}, {FormatMarkdown, "evidence.md"}, {FormatHTML, "evidence.html"},
	} {
		golden(t, tc.file, f.stable(render(t, doc, tc.format)))
	}
}

// TestGoldenMissing collects the evidence of an app that has never been
// backed up, checked or drilled, with no objectives declared: nulls
// everywhere, verdict unknown.
func TestGoldenMissing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	doc := f.collect(t)
	if doc.Objectives.Verdict != VerdictUnknown {
		t.Errorf("verdict %s, want unknown", doc.Objectives.Verdict)
	}
	golden(t, "missing.json", f.stable(render(t, doc, FormatJSON)))
	golden(t, "missing.md", f.stable(render(t, doc, FormatMarkdown)))
}

// checkSize checks that the repository's size and pack count are those
// of its pack files, then replaces them with fixed numbers: the size
// depends on the machine (uid and gid are stored in the trees), and both
// on how the writer packs blobs, which is not the evidence's concern.
func checkSize(t *testing.T, f *fixture, doc *Document) {
	t.Helper()
	var total int64
	var packs int
	err := filepath.Walk(filepath.Join(f.dir, "repo", "data"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && !strings.HasPrefix(fi.Name(), ".") {
			total += fi.Size()
			packs++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	info := doc.Repository.Value
	if info == nil || info.SizeBytes.Value == nil || *info.SizeBytes.Value != total || *info.PackFiles.Value != packs {
		t.Fatalf("repository %+v, want %d bytes in %d packs", info, total, packs)
	}
	info.SizeBytes, info.PackFiles = Known(int64(123456)), Known(42)
}
