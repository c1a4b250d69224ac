//go:build linux

package tree

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// TestResticTreesRoundTrip backs up a directory of awkward entries with the
// real restic (the pinned 0.18.1 and Debian's 0.14, found through
// internal/testenv) and checks that every tree blob it wrote decodes and
// re-encodes to the same bytes.
func TestResticTreesRoundTrip(t *testing.T) {
	t.Run("0.18.1", func(t *testing.T) { resticTreesRoundTrip(t, testenv.Restic(t)) })
	t.Run("0.14", func(t *testing.T) { resticTreesRoundTrip(t, testenv.Restic014(t)) })
}

func resticTreesRoundTrip(t *testing.T, bin string) {
	dir := t.TempDir()
	restic := func(args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, append([]string{"--no-cache", "-q"}, args...)...)
		cmd.Env = append(os.Environ(), "RESTIC_REPOSITORY="+filepath.Join(dir, "repo"), "RESTIC_PASSWORD=pw")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("restic %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
		}
		return out
	}
	// restic before 0.16 stores an invalid UTF-8 symlink target only as the
	// lossy "linktarget", which cannot be re-encoded to the same bytes.
	version := string(restic("version"))
	lossyLinks := regexp.MustCompile(`^restic 0\.([0-9]|1[0-5])\.`).MatchString(version)
	src := filepath.Join(dir, "src")
	names := makeFixture(t, src, !lossyLinks)

	restic("init")
	restic("backup", src)
	var snaps []struct {
		Tree id.ID `json:"tree"`
	}
	if err := json.Unmarshal(restic("snapshots", "--json"), &snaps); err != nil || len(snaps) != 1 {
		t.Fatalf("snapshots: %v, %d", err, len(snaps))
	}

	var trees int
	var srcNames []string
	var walk func(tid id.ID, path string)
	walk = func(tid id.ID, path string) {
		data := restic("cat", "blob", tid.String())
		if id.Hash(data) != tid {
			t.Fatalf("blob %s: hash mismatch", tid.Str())
		}
		trees++
		tr, err := Decode(data)
		if err != nil {
			t.Fatalf("tree %s: %v", path, err)
		}
		got := mustEncode(t, tr)
		if !bytes.Equal(got, data) {
			t.Errorf("tree %s re-encoded differently:\nrestic %s\nours   %s", path, data, got)
		}
		for _, n := range tr.Nodes {
			if err := n.Validate(); err != nil {
				t.Errorf("tree %s: %v", path, err)
			}
			p := path + "/" + n.Name
			if p == src {
				for _, c := range mustDecode(t, string(restic("cat", "blob", n.Subtree.String()))).Nodes {
					srcNames = append(srcNames, c.Name)
				}
			}
			if n.Type == TypeDir && n.Subtree != nil {
				walk(*n.Subtree, p)
			}
		}
	}
	walk(snaps[0].Tree, "")
	if trees < 4 {
		t.Errorf("walked only %d trees", trees)
	}
	if !slices.Equal(srcNames, names) {
		t.Errorf("names decoded from restic's tree:\n%q\nwant\n%q", srcNames, names)
	}
}

// makeFixture fills dir with entries whose names, types and modes exercise
// the tree encoding, and returns the names of its direct entries sorted
// byte-wise. badLink adds a symlink whose target is not valid UTF-8.
func makeFixture(t *testing.T, dir string, badLink bool) []string {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "sub", "deeper"), 0o755))
	must(os.Mkdir(filepath.Join(dir, "empty dir"), 0o700))
	files := map[string]string{
		"tab\there.txt":    "hello",
		`quo"te\\back.txt`: "x",
		"a&b<c>.txt":       "",
		"bad\xffname":      "y",
		"é ü.txt":          "z",
		"line\u2028sep":    "w",
		"nl\nname":         "v",
		"sub/deeper/f":     "deep",
	}
	for name, content := range files {
		must(os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	big := make([]byte, 3<<20)
	rng := rand.NewChaCha8([32]byte{1})
	_, _ = rng.Read(big)
	must(os.WriteFile(filepath.Join(dir, "big.bin"), big, 0o600))
	must(os.Link(filepath.Join(dir, "big.bin"), filepath.Join(dir, "sub", "hardlink")))
	must(os.Chmod(filepath.Join(dir, "a&b<c>.txt"), os.ModeSetuid|0o755))
	must(os.Symlink("../a&b", filepath.Join(dir, "sub", "link")))
	if badLink {
		must(os.Symlink("tgt\xfe", filepath.Join(dir, "badlink")))
	}
	must(syscall.Mkfifo(filepath.Join(dir, "sub", "fifo"), 0o644))
	l, err := net.Listen("unix", filepath.Join(dir, "sub", "sock"))
	must(err)
	t.Cleanup(func() { l.Close() })
	// Extended attributes are not supported everywhere; ignore failures.
	_ = syscall.Setxattr(filepath.Join(dir, "tab\there.txt"), "user.note", []byte("<v&>"), 0)
	must(os.Chmod(filepath.Join(dir, "sub"), os.ModeSticky|0o777))

	entries, err := os.ReadDir(dir)
	must(err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}
