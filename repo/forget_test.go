package repo

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

// forgetTestKDF makes key derivation cheap in these tests.
var forgetTestKDF = KDFParams{N: 1024, R: 8, P: 1}

func saveTestSnapshots(t *testing.T, r *Repository, n int) []ID {
	t.Helper()
	var tree ID
	var ids []ID
	for i := range n {
		s := &Snapshot{Time: time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC), Tree: &tree, Paths: []string{"/p"}, Hostname: "h"}
		id, err := r.SaveSnapshot(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func snapshotIDs(t *testing.T, r *Repository) []ID {
	t.Helper()
	snaps, err := r.Snapshots(context.Background(), Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []ID
	for _, s := range snaps {
		ids = append(ids, s.ID())
	}
	return ids
}

func TestForget(t *testing.T) {
	ctx := context.Background()
	r, err := Init(ctx, mem.New(), "pw", InitOptions{KDF: forgetTestKDF})
	if err != nil {
		t.Fatal(err)
	}
	ids := saveTestSnapshots(t, r, 4)
	if err := r.Forget(ctx, []ID{ids[0], ids[2], ids[0]}); err != nil {
		t.Fatal(err)
	}
	if got := snapshotIDs(t, r); !slices.Equal(got, []ID{ids[1], ids[3]}) {
		t.Fatalf("left %v, want %v", got, []ID{ids[1], ids[3]})
	}
	// A missing snapshot is reported; the others are still deleted.
	err = r.Forget(ctx, []ID{ids[0], ids[1]})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("forget missing: %v", err)
	}
	if got := snapshotIDs(t, r); !slices.Equal(got, []ID{ids[3]}) {
		t.Fatalf("left %v, want %v", got, []ID{ids[3]})
	}
	if err := r.Forget(ctx, nil); err != nil {
		t.Fatalf("forget nothing: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := r.Forget(cctx, ids[3:]); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestForgetRestic deletes snapshots that restic made and checks that
// restic sees exactly the others and finds the repository intact.
func TestForgetRestic(t *testing.T) {
	restic := testenv.Restic(t)
	dir := t.TempDir()
	ctx := context.Background()
	be, err := local.Open(filepath.Join(dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Init(ctx, be, "pw", InitOptions{KDF: forgetTestKDF})
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"RESTIC_REPOSITORY=" + filepath.Join(dir, "repo"), "RESTIC_PASSWORD=pw"}
	file := filepath.Join(dir, "f")
	for i := range 3 {
		if err := os.WriteFile(file, []byte{byte(i)}, 0o600); err != nil {
			t.Fatal(err)
		}
		testenv.RunTool(t, env, dir, restic, "--no-cache", "-q", "backup", file)
	}
	ids := snapshotIDs(t, r)
	if len(ids) != 3 {
		t.Fatalf("%d snapshots", len(ids))
	}
	if err := r.Forget(ctx, ids[:2]); err != nil {
		t.Fatal(err)
	}
	var listed []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(testenv.RunTool(t, env, dir, restic, "--no-cache", "snapshots", "--json"), &listed); err != nil {
		t.Fatal(err)
	}
	if len(listed) != 1 || listed[0].ID != ids[2].String() {
		t.Fatalf("restic lists %v, want only %s", listed, ids[2])
	}
	testenv.RunTool(t, env, dir, restic, "--no-cache", "check")
}
