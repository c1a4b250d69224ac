package repo

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// checkOracles are the restic builds whose check must agree with ours.
var checkOracles = []struct {
	name string
	bin  func(testing.TB) string
}{
	{"restic-0.18", testenv.Restic},
	{"restic-0.14", testenv.Restic014},
}

// checkResticRun runs restic check on dir and returns its output and exit code.
func checkResticRun(t testing.TB, bin, dir string, args ...string) (string, int) {
	t.Helper()
	env := []string{"RESTIC_REPOSITORY=" + dir, "RESTIC_PASSWORD=" + checkPassword}
	cmd := testenv.Command(t, env, "", bin, append([]string{"--no-cache", "check"}, args...)...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("restic check: %v\n%s", err, out)
	}
	return string(out), 0
}

// Our repositories pass both our check and restic's, with every pack read.
func TestCheckOurRepoWithRestic(t *testing.T) {
	for _, version := range []uint{1, 2} {
		_, dir := newCheckRepo(t, version, false)
		checkAssertClean(t, checkMust(t, checkOpen(t, dir), CheckOptions{ReadData: true}))
		for _, o := range checkOracles {
			if out, code := checkResticRun(t, o.bin(t), dir, "--read-data"); code != 0 || !strings.Contains(out, "no errors were found") {
				t.Errorf("v%d %s: exit %d\n%s", version, o.name, code, out)
			}
		}
	}
}

// Repositories written by restic pass our check without errors or hints.
func TestCheckResticRepos(t *testing.T) {
	for _, o := range checkOracles {
		t.Run(o.name, func(t *testing.T) {
			bin := o.bin(t)
			dir := filepath.Join(t.TempDir(), "repo")
			src := t.TempDir()
			env := []string{"RESTIC_REPOSITORY=" + dir, "RESTIC_PASSWORD=" + checkPassword, "RESTIC_CACHE_DIR=" + t.TempDir()}
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(os.MkdirAll(filepath.Join(src, "a", "b"), 0o755))
			must(os.WriteFile(filepath.Join(src, "big.bin"), checkRandom(5<<20, 9), 0o644))
			must(os.WriteFile(filepath.Join(src, "a", "b", "dump.sql"), []byte(strings.Repeat("INSERT 1;\n", 300000)), 0o644))
			must(os.WriteFile(filepath.Join(src, "a", "empty"), nil, 0o644))
			must(os.Symlink("b/dump.sql", filepath.Join(src, "a", "link")))
			testenv.RunTool(t, env, "", bin, "init", "-q")
			testenv.RunTool(t, env, "", bin, "backup", "-q", src)
			must(os.WriteFile(filepath.Join(src, "a", "new.txt"), checkRandom(1<<20, 10), 0o644))
			testenv.RunTool(t, env, "", bin, "backup", "-q", src)
			res := checkMust(t, checkOpen(t, dir), CheckOptions{ReadData: true})
			checkAssertClean(t, res)
			if res.SnapshotsChecked != 2 || res.TreesChecked < 4 || res.PacksRead < 2 {
				t.Errorf("checked %d snapshots, %d trees, %d packs", res.SnapshotsChecked, res.TreesChecked, res.PacksRead)
			}
			if out, code := checkResticRun(t, bin, dir, "--read-data"); code != 0 {
				t.Errorf("restic check: exit %d\n%s", code, out)
			}
		})
	}
}

// checkFault injects one kind of damage into a fresh repository.
type checkFault struct {
	name   string
	inject func(t *testing.T, r *Repository, dir string) string // returns a snapshot ID to expect, or ""
	opts   CheckOptions
	want   string // issue kind among the errors
	// listed faults are found by restic's pack listing; restic 0.14 is
	// run without --read-data for them, since it retries reading a
	// missing or short pack for 40 seconds.
	listed bool
}

var checkMissingID = ID{1, 2, 3}

var checkFaults = []checkFault{
	{"bit flip in data pack", func(t *testing.T, r *Repository, dir string) string {
		checkFlip(t, checkPackFile(dir, checkPackOf(t, r, DataBlob)), 1000)
		return ""
	}, CheckOptions{ReadData: true}, IssueBlobIntegrity, false},
	{"bit flip in pack header", func(t *testing.T, r *Repository, dir string) string {
		checkFlip(t, checkPackFile(dir, checkPackOf(t, r, DataBlob)), -10)
		return ""
	}, CheckOptions{ReadData: true}, IssuePackHeader, false},
	{"bit flip in tree pack", func(t *testing.T, r *Repository, dir string) string {
		checkFlip(t, checkPackFile(dir, checkPackOf(t, r, TreeBlob)), 40)
		return ""
	}, CheckOptions{}, IssueTreeDamaged, false},
	{"deleted pack", func(t *testing.T, r *Repository, dir string) string {
		if err := os.Remove(checkPackFile(dir, checkPackOf(t, r, DataBlob))); err != nil {
			t.Fatal(err)
		}
		return ""
	}, CheckOptions{ReadData: true}, IssuePackMissing, true},
	{"truncated pack", func(t *testing.T, r *Repository, dir string) string {
		p := checkPackFile(dir, checkPackOf(t, r, DataBlob))
		data, _ := os.ReadFile(p)
		checkWrite(t, p, data[:len(data)-1000])
		return ""
	}, CheckOptions{ReadData: true}, IssuePackSize, true},
	{"pack with trailing garbage", func(t *testing.T, r *Repository, dir string) string {
		p := checkPackFile(dir, checkPackOf(t, r, DataBlob))
		data, _ := os.ReadFile(p)
		checkWrite(t, p, append(data, "garbage"...))
		return ""
	}, CheckOptions{ReadData: true}, IssuePackSize, true},
	{"pack with a blob the index does not list", func(t *testing.T, r *Repository, dir string) string {
		pid, blobs := checkSavePack(t, r, []BlobType{DataBlob, DataBlob}, []byte("one"), []byte("two"))
		checkIndexPack(t, r, pid, blobs[:1])
		return ""
	}, CheckOptions{ReadData: true}, IssueIndexMismatch, true},
	{"damaged index file", func(t *testing.T, r *Repository, dir string) string {
		checkFlip(t, checkFirstFile(t, r, dir, backend.IndexFile), 50)
		return ""
	}, CheckOptions{ReadData: true}, IssueIndexDamaged, false},
	{"damaged index file renamed to its hash", func(t *testing.T, r *Repository, dir string) string {
		p := checkFirstFile(t, r, dir, backend.IndexFile)
		checkFlip(t, p, 50)
		checkRenameToHash(t, p)
		return ""
	}, CheckOptions{}, IssueIndexDamaged, false},
	{"damaged snapshot file", func(t *testing.T, r *Repository, dir string) string {
		p := checkFirstFile(t, r, dir, backend.SnapshotFile)
		checkFlip(t, p, 50)
		checkRenameToHash(t, p)
		return ""
	}, CheckOptions{}, IssueSnapshotDamaged, false},
	{"snapshot of a missing tree", func(t *testing.T, r *Repository, dir string) string {
		return checkSnapshotOf(t, r, checkMissingID)
	}, CheckOptions{}, IssueTreeMissing, false},
	{"tree with a missing subtree", func(t *testing.T, r *Repository, dir string) string {
		sub := checkMissingID
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "d", Type: tree.TypeDir, Mode: os.ModeDir | 0o755, Subtree: &sub}}))
	}, CheckOptions{}, IssueTreeMissing, false},
	{"file with a missing data blob", func(t *testing.T, r *Repository, dir string) string {
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "f", Type: tree.TypeFile, Mode: 0o644, Size: 5, Content: []ID{checkMissingID}}}))
	}, CheckOptions{}, IssueBlobMissing, false},
	{"file with null content", func(t *testing.T, r *Repository, dir string) string {
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "f", Type: tree.TypeFile, Mode: 0o644}}, `"content":[]`, `"content":null`))
	}, CheckOptions{}, IssueNodeInvalid, false},
	{"dir without subtree", func(t *testing.T, r *Repository, dir string) string {
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "d", Type: tree.TypeDir, Mode: os.ModeDir | 0o755}}))
	}, CheckOptions{}, IssueNodeInvalid, false},
	{"node of unknown type", func(t *testing.T, r *Repository, dir string) string {
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "x", Type: "whiteout"}}))
	}, CheckOptions{}, IssueNodeInvalid, false},
	{"node with empty name", func(t *testing.T, r *Repository, dir string) string {
		return checkTreeSnapshot(t, r, checkTree(t, []*tree.Node{{Name: "", Type: tree.TypeSymlink, LinkTarget: "x"}}))
	}, CheckOptions{}, IssueNodeInvalid, false},
}

// Every injected fault is an error for our check and for restic's.
func TestCheckFaults(t *testing.T) {
	for _, f := range checkFaults {
		t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
			r, dir := newCheckRepo(t, 2, false)
			sid := f.inject(t, r, dir)
			res := checkMust(t, checkOpen(t, dir), f.opts)
			var found *CheckIssue
			for i := range res.Errors {
				if res.Errors[i].Kind == f.want && found == nil {
					found = &res.Errors[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s error; errors %v", f.want, res.Errors)
			}
			if sid != "" && !slices.Equal(found.Snapshots, []string{sid}) {
				t.Errorf("issue names snapshots %v, want [%s]", found.Snapshots, sid)
			}
			checkFaultResult(t, f, res)
			t.Logf("ours: %v", res.Errors)
			for _, o := range checkOracles {
				args := []string{"--read-data"}
				if f.listed && o.name == "restic-0.14" {
					args = nil
				}
				out, code := checkResticRun(t, o.bin(t), dir, args...)
				if code == 0 {
					t.Errorf("%s check %v exits 0:\n%s", o.name, args, out)
				}
				t.Logf("%s (exit %d):\n%s", o.name, code, out)
			}
		})
	}
}

// checkFaultResult checks what a fault implies beyond its issue kind.
func checkFaultResult(t *testing.T, f checkFault, res *CheckResult) {
	t.Helper()
	switch f.want {
	case IssueIndexDamaged:
		if len(res.Errors) != 1 || res.SnapshotsChecked != 0 || !res.SuggestRepairIndex {
			t.Errorf("check went on after a damaged index: %+v", res)
		}
	case IssueBlobIntegrity, IssuePackHeader, IssuePackSize:
		if len(res.BrokenPacks) != 1 {
			t.Errorf("broken packs %v", res.BrokenPacks)
		}
	}
}

// Harmless findings are hints for our check and not errors for restic's.
func TestCheckHints(t *testing.T) {
	tests := []struct {
		name, want, resticSays string
		inject                 func(t *testing.T, r *Repository)
	}{
		{"pack in no index", IssueAdditionalFiles, "1 additional files were found", func(t *testing.T, r *Repository) {
			checkSavePack(t, r, []BlobType{DataBlob}, []byte("orphan"))
		}},
		{"pack in two indexes", IssueDuplicatePackIndex, "contained in several indexes", func(t *testing.T, r *Repository) {
			pid := checkPackOf(t, r, DataBlob)
			idx, _ := r.index(t.Context())
			checkIndexPack(t, r, pid, idx.Packs()[pid])
		}},
		{"mixed pack", IssueMixedPack, "mix of tree and data blobs", func(t *testing.T, r *Repository) {
			pid, blobs := checkSavePack(t, r, []BlobType{DataBlob, TreeBlob}, []byte("data"), []byte(`{"nodes":[]}`+"\n"))
			checkIndexPack(t, r, pid, blobs)
		}},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.name, " ", "_"), func(t *testing.T) {
			r, dir := newCheckRepo(t, 2, false)
			tt.inject(t, r)
			res := checkMust(t, checkOpen(t, dir), CheckOptions{ReadData: true})
			if !res.OK() || !slices.Equal(checkIssueKinds(res.Hints), []string{tt.want}) {
				t.Fatalf("errors %v\nhints %v", res.Errors, res.Hints)
			}
			if res.SuggestPrune != (tt.want != IssueDuplicatePackIndex) || res.SuggestRepairIndex != (tt.want == IssueDuplicatePackIndex) {
				t.Errorf("suggest prune %v, repair index %v", res.SuggestPrune, res.SuggestRepairIndex)
			}
			out, code := checkResticRun(t, testenv.Restic(t), dir, "--read-data")
			if code != 0 || !strings.Contains(out, tt.resticSays) {
				t.Errorf("restic check: exit %d\n%s", code, out)
			}
			t.Logf("ours: %v\nrestic:\n%s", res.Hints, out)
		})
	}
}

// As in restic, the hint about packs in no index is left out when packs
// are missing, but prune is still suggested.
func TestCheckAdditionalFilesHiddenByErrors(t *testing.T) {
	r, dir := newCheckRepo(t, 2, false)
	checkSavePack(t, r, []BlobType{DataBlob}, []byte("orphan"))
	if err := os.Remove(checkPackFile(dir, checkPackOf(t, r, DataBlob))); err != nil {
		t.Fatal(err)
	}
	res := checkMust(t, checkOpen(t, dir), CheckOptions{})
	if !slices.Equal(checkIssueKinds(res.Errors), []string{IssuePackMissing}) || len(res.Hints) != 0 || !res.SuggestPrune {
		t.Fatalf("errors %v, hints %v, suggest prune %v", res.Errors, res.Hints, res.SuggestPrune)
	}
}
