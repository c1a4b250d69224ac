package cli

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

func TestParseSnapshotRef(t *testing.T) {
	for _, tc := range []struct {
		in      string
		id, sub string
	}{
		{"latest", "latest", ""},
		{"latest:", "latest", ""},
		{"4adc4fcf:var/lib/app/", "4adc4fcf", "var/lib/app"},
		{"latest:/databases", "latest", "databases"},
		{"abc:a/../b", "abc", "b"},
	} {
		ref, err := ParseSnapshotRef(tc.in)
		if err != nil || ref.ID != tc.id || ref.Subfolder != tc.sub {
			t.Errorf("ParseSnapshotRef(%q) = %+v, %v; want %q %q", tc.in, ref, err, tc.id, tc.sub)
		}
	}
	if _, err := ParseSnapshotRef(":x"); err == nil {
		t.Error("empty ID accepted")
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[uint64]string{0: "0 B", 5: "5 B", 1023: "1023 B", 1536: "1.500 KiB", 3 << 30: "3.000 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestLatestPerGroup(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	mk := func(i int, host string, paths ...string) *repo.Snapshot {
		return &repo.Snapshot{Time: base.Add(time.Duration(i) * time.Hour), Hostname: host, Paths: paths}
	}
	snaps := []*repo.Snapshot{mk(0, "a", "/x"), mk(1, "a", "/x"), mk(2, "b", "/x"), mk(3, "a", "/y", "/x"), mk(4, "a", "/x", "/y"), mk(5, "a", "/x")}
	got := LatestPerGroup(snaps, 1)
	want := []*repo.Snapshot{snaps[2], snaps[4], snaps[5]}
	if len(got) != len(want) {
		t.Fatalf("got %d snapshots, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("snapshot %d: got %v, want %v", i, got[i].Time, want[i].Time)
		}
	}
	if len(LatestPerGroup(snaps, 0)) != len(snaps) {
		t.Error("n=0 dropped snapshots")
	}
}

// TestNodeJSON checks node lines against output of restic 0.18.1 ls --json.
func TestNodeJSON(t *testing.T) {
	tm := time.Date(2026, 11, 27, 14, 28, 28, 88112965, time.UTC)
	for _, tc := range []struct {
		path string
		node tree.Node
		want string
	}{
		{"/src/a.txt", tree.Node{Name: "a.txt", Type: "file", Size: 6, Mode: 0o644, ModTime: tm, AccessTime: tm, ChangeTime: tm, Inode: 10002436, Links: 1, User: "root"},
			`{"name":"a.txt","type":"file","path":"/src/a.txt","uid":0,"gid":0,"size":6,"mode":420,"permissions":"-rw-r--r--","mtime":"2026-11-27T14:28:28.088112965Z","atime":"2026-11-27T14:28:28.088112965Z","ctime":"2026-11-27T14:28:28.088112965Z","inode":10002436,"message_type":"node","struct_type":"node"}`},
		{"/src/link", tree.Node{Name: "link", Type: "symlink", Mode: os.ModeSymlink | 0o777, ModTime: tm, AccessTime: tm, ChangeTime: tm, Inode: 10002438, LinkTarget: "a.txt"},
			`{"name":"link","type":"symlink","path":"/src/link","uid":0,"gid":0,"mode":134218239,"permissions":"Lrwxrwxrwx","mtime":"2026-11-27T14:28:28.088112965Z","atime":"2026-11-27T14:28:28.088112965Z","ctime":"2026-11-27T14:28:28.088112965Z","inode":10002438,"message_type":"node","struct_type":"node"}`},
		{"/empty", tree.Node{Name: "empty", Type: "file"},
			`{"name":"empty","type":"file","path":"/empty","uid":0,"gid":0,"size":0,"permissions":"----------","mtime":"0001-01-01T00:00:00Z","atime":"0001-01-01T00:00:00Z","ctime":"0001-01-01T00:00:00Z","message_type":"node","struct_type":"node"}`},
	} {
		got, err := json.Marshal(NewNode(tc.path, &tc.node))
		if err != nil || string(got) != tc.want {
			t.Errorf("NewNode(%s):\ngot  %s (%v)\nwant %s", tc.path, got, err, tc.want)
		}
	}
}

func TestRedactKeyFile(t *testing.T) {
	raw := `{"created":"2026-11-27T14:28:27.745951852Z","username":"root","hostname":"vm","kdf":"scrypt","N":32768,"r":8,"p":5,"salt":"KxpZrTCt47/dU7VFDhoy+w==","data":"9oqW+M0CvNZTc1o78IciAlRq"}`
	k, err := RedactKeyFile([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(k)
	want := `{"created":"2026-11-27T14:28:27.745951852Z","username":"root","hostname":"vm","kdf":"scrypt","N":32768,"r":8,"p":5,"salt":"KxpZrTCt47/dU7VFDhoy+w==","data":"[REDACTED]"}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if strings.Contains(string(got), "9oqW") {
		t.Fatal("secret data printed")
	}
}

func TestBackupSummaryFieldOrder(t *testing.T) {
	start := time.Date(2026, 11, 27, 14, 29, 22, 0, time.UTC)
	sn := &repo.Snapshot{Summary: &repo.SnapshotSummary{BackupStart: start, BackupEnd: start.Add(1500 * time.Millisecond), FilesNew: 1, TotalBytesProcessed: 6}}
	got, _ := json.Marshal(NewBackupSummary(sn))
	// Field names and order of restic 0.18.1's backup --json summary line.
	want := `{"message_type":"summary","files_new":1,"files_changed":0,"files_unmodified":0,"dirs_new":0,"dirs_changed":0,"dirs_unmodified":0,"data_blobs":0,"tree_blobs":0,"data_added":0,"data_added_packed":0,"total_files_processed":0,"total_bytes_processed":6,"total_duration":1.5,"backup_start":"2026-11-27T14:29:22Z","backup_end":"2026-11-27T14:29:23.5Z","snapshot_id":"0000000000000000000000000000000000000000000000000000000000000000"}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
