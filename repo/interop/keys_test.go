package interop

import (
	"errors"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// TestOpenBothPasswords opens every repository with the password of
// restic init (done when the repository was built) and with the one of
// restic key add: both unlock the same master key.
func TestOpenBothPasswords(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		r2, err := openRepo(t, rr.dir, password2)
		if err != nil {
			t.Fatalf("open with the key-add password: %v", err)
		}
		if r2.Config() != rr.r.Config() {
			t.Errorf("config %+v, want %+v", r2.Config(), rr.r.Config())
		}
		if r2.KeyID() == rr.r.KeyID() || r2.KeyID() == rr.hint {
			t.Errorf("opened with key %s again", r2.KeyID())
		}
		sn, err := r2.FindSnapshot(t.Context(), rr.stdinSnap, repo.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r2.LoadTree(t.Context(), *sn.Tree); err != nil {
			t.Fatal(err)
		}
		keys, err := r2.Keys(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		current := 0
		for _, k := range keys {
			if k.Current {
				current++
				if k.ID != r2.KeyID() {
					t.Errorf("key %s is current, want %s", k.ID, r2.KeyID())
				}
			}
		}
		if len(keys) != 3 || current != 1 {
			t.Errorf("Keys = %+v, want 3 keys (init, ours, key add), one current", keys)
		}
	})
}

// TestWrongPassword tries every key of a restic 0.14 repository (the
// cheapest to derive) with a wrong password.
func TestWrongPassword(t *testing.T) {
	t.Parallel()
	rr := resticRepoFor(t, kinds[1])
	_, err := openRepo(t, rr.dir, "wrong password")
	if !errors.Is(err, repo.ErrWrongPassword) {
		t.Fatalf("got %v, want ErrWrongPassword", err)
	}
}
