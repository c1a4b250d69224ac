package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// currentPacks returns the full IDs of the packs in the fixture's index.
func (f *runFixture) currentPacks(t testing.TB) map[string]bool {
	t.Helper()
	ids, err := f.open(t).PackIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, id := range ids {
		out[id.String()] = true
	}
	return out
}

// ledger reads the verified packs ledger.
func (f *runFixture) ledger(t testing.TB) VerifiedPacks {
	t.Helper()
	var l VerifiedPacks
	if found, err := f.cfg.StateDir().ReadRecord(VerifiedPacksRecord, &l); !found || err != nil {
		t.Fatalf("no ledger: %v %v", found, err)
	}
	return l
}

// rotation reads the rotation state.
func (f *runFixture) rotation(t testing.TB) CheckRotation {
	t.Helper()
	var rot CheckRotation
	if found, err := f.cfg.StateDir().ReadRecord(CheckRotationRecord, &rot); !found || err != nil {
		t.Fatalf("no rotation state: %v %v", found, err)
	}
	return rot
}

// backups runs n forced backups an hour apart, files included.
func (f *runFixture) backups(t testing.TB, n int) {
	t.Helper()
	for range n {
		if _, err := f.runner.Backup(t.Context(), BackupOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
	}
}

// assertCycleCovered fails unless the ledger lists as verified since
// cycleStart every pack in the index that a check has seen, and returns
// how many packs in the index no check has seen yet.
func (f *runFixture) assertCycleCovered(t testing.TB, cycleStart time.Time) (unseen int) {
	t.Helper()
	l := f.ledger(t)
	for p := range f.currentPacks(t) {
		if _, seen := l.Seen[p]; !seen {
			unseen++
			continue
		}
		if at, ok := l.Packs[p]; !ok || at.Before(cycleStart) {
			t.Errorf("pack %.8s, in the index when the last check started, not verified in the cycle (%v)", p, at)
		}
	}
	return unseen
}

// auto/4 reads the groups 1/4, 2/4, 3/4 and 4/4 in turn, so that four
// checks read every pack that was there before the first exactly once;
// each check also reads the packs written since the cycle began (a
// backup between checks, each check's history mirrored into the
// repository), so after the cycle every pack in the index when the last
// check started is verified: the share is 1. The fifth check starts the
// next cycle.
func TestCheckRotationCoversEveryPack(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backups(t, 3)
	packs := f.currentPacks(t)
	if len(packs) < 4 {
		t.Fatalf("only %d packs", len(packs))
	}
	cycleStart := f.clock.Now()
	reads := map[string]int{}
	for k := 1; k <= 4; k++ {
		rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/4"})
		if err != nil {
			t.Fatalf("check %d: %v", k, err)
		}
		if want := fmt.Sprintf("%d/4", k); rec.ReadDataSubset != want || rec.ReadDataRotation != "auto/4" {
			t.Errorf("check %d read %q (rotation %q), want %s", k, rec.ReadDataSubset, rec.ReadDataRotation, want)
		}
		for _, p := range rec.Result.PacksVerified {
			reads[p]++
		}
		f.clock.Advance(time.Hour)
		if k < 4 {
			f.backups(t, 1)
		}
	}
	for p := range packs {
		if reads[p] != 1 {
			t.Errorf("pack %.8s read %d times in a cycle, want once", p, reads[p])
		}
	}
	if unseen := f.assertCycleCovered(t, cycleStart); unseen == 0 {
		t.Errorf("no pack written after the last check (its mirrored history); the test proves less than it says")
	}
	l := f.ledger(t)
	if len(l.Checks) != 4 || l.Kind != KindVerifiedPacks || len(l.Seen) <= len(packs) {
		t.Errorf("ledger: %d checks, kind %q, %d packs seen of %d before the cycle", len(l.Checks), l.Kind, len(l.Seen), len(packs))
	}
	if rot := f.rotation(t); rot.Buckets != 4 || rot.Next != 1 || !rot.CycleStartedAt.Equal(cycleStart) {
		t.Errorf("rotation after a cycle: %+v, want next 1 of 4, cycle started %v", rot, cycleStart)
	}
	rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/4"})
	if err != nil || rec.ReadDataSubset != "1/4" {
		t.Errorf("fifth check read %q: %v", rec.ReadDataSubset, err)
	}
}

// A check of the cycle reads the packs written since the last check
// whatever their group, but not the packs of other groups seen before
// the cycle began.
func TestCheckRotationReadsNewPacks(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backups(t, 2)
	first, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/8"})
	if err != nil {
		t.Fatal(err)
	}
	seen := f.ledger(t).Seen
	f.clock.Advance(time.Hour)
	f.backups(t, 1)
	added := map[string]bool{} // since the first check started
	for p := range f.currentPacks(t) {
		if _, ok := seen[p]; !ok {
			added[p] = true
		}
	}
	rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/8"})
	if err != nil || rec.ReadDataSubset != "2/8" {
		t.Fatalf("second check read %q: %v", rec.ReadDataSubset, err)
	}
	verified := map[string]bool{}
	for _, p := range rec.Result.PacksVerified {
		verified[p] = true
	}
	for p := range added {
		if !verified[p] {
			t.Errorf("pack %.8s, written since the last check, not read", p)
		}
	}
	for p := range verified {
		if !added[p] && mustHexByte(t, p)%8 != 1 {
			t.Errorf("pack %.8s of another group, seen before the cycle, read again", p)
		}
	}
	if len(added) == 0 || len(first.Result.PacksVerified) == len(seen) {
		t.Errorf("%d packs added, first check verified %d of %d: the test proves nothing", len(added), len(first.Result.PacksVerified), len(seen))
	}
}

// mustHexByte parses the first byte of a hex pack ID.
func mustHexByte(t testing.TB, p string) byte {
	t.Helper()
	var b byte
	if _, err := fmt.Sscanf(p[:2], "%02x", &b); err != nil {
		t.Fatal(err)
	}
	return b
}

// The configured auto/N drives the check after each backup.
func TestCheckRotationAfterBackup(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{check: true, extra: "", paths: true})
	f.cfg.Restic.CheckReadDataSubset = "auto/2"
	for _, want := range []string{"1/2", "2/2", "1/2"} {
		f.backups(t, 1)
		var rec CheckRecord
		if _, err := f.cfg.StateDir().ReadRecord(LastCheckRecord, &rec); err != nil || rec.ReadDataSubset != want || rec.ReadDataRotation != "auto/2" {
			t.Errorf("check after backup read %q (%q), want %s: %v", rec.ReadDataSubset, rec.ReadDataRotation, want, err)
		}
	}
}

// A change of N, or a state that cannot be read, starts at group 1.
func TestCheckRotationRestarts(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.backups(t, 1)
	sd := f.cfg.StateDir()
	if err := sd.WriteRecord(CheckRotationRecord, &CheckRotation{RecordHeader: NewRecordHeader(KindCheckRotation), Buckets: 4, Next: 3}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ subset, want string }{{"auto/4", "3/4"}, {"auto/3", "1/3"}, {"auto/3", "2/3"}} {
		rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: tc.subset})
		if err != nil || rec.ReadDataSubset != tc.want {
			t.Errorf("%s read %q, want %s: %v", tc.subset, rec.ReadDataSubset, tc.want, err)
		}
	}
	if err := os.WriteFile(filepath.Join(f.stateDir, CheckRotationRecord), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/3"})
	if err != nil || rec.ReadDataSubset != "1/3" {
		t.Errorf("after a damaged state: read %q: %v", rec.ReadDataSubset, err)
	}
	if rot := f.rotation(t); rot.Next != 2 {
		t.Errorf("rotation %+v, want next 2", rot)
	}
}

// A check that finds damage still advances the rotation, so a broken
// pack does not stop the other groups from being read; the broken pack
// is not in the ledger. A check that could not run does not advance.
func TestCheckRotationAdvancesPastDamage(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backups(t, 2)
	packs, err := filepath.Glob(filepath.Join(f.repoDir, "data", "*", "*"))
	if err != nil || len(packs) == 0 {
		t.Fatalf("no packs: %v", err)
	}
	broken := filepath.Base(packs[0])
	if err := os.WriteFile(packs[0], []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1/2", "2/2"} {
		rec, _ := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/2"})
		if rec == nil || rec.ReadDataSubset != want || rec.Status != StatusFailed {
			t.Fatalf("check of a damaged repository: %+v, want %s failed", rec, want)
		}
	}
	if _, ok := f.ledger(t).Packs[broken]; ok {
		t.Errorf("the broken pack %.8s is in the ledger", broken)
	}
	l := f.ledger(t)
	for _, p := range packs[1:] {
		if _, ok := l.Packs[filepath.Base(p)]; !ok {
			t.Errorf("sound pack %.8s is not in the ledger", filepath.Base(p))
		}
	}

	if err := os.RemoveAll(filepath.Join(f.repoDir, "config")); err != nil {
		t.Fatal(err)
	}
	rec, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/2"})
	if err == nil || rec == nil || rec.ReadDataRotation != "auto/2" || rec.ReadDataSubset != "" {
		t.Errorf("check without a repository: %+v %v", rec, err)
	}
	if rot := f.rotation(t); rot.Next != 1 {
		t.Errorf("a check that could not run advanced the rotation: %+v", rot)
	}
}

// Packs added after a check are not verified until a check reads them,
// and packs prune removes leave the ledger at the next check.
func TestCheckLedgerFollowsRepository(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backups(t, 5)
	before := f.currentPacks(t)
	if _, err := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/1"}); err != nil {
		t.Fatal(err)
	}
	f.backups(t, 1)
	after := f.currentPacks(t)
	if _, err := f.runner.Check(t.Context(), CheckOptions{NoReadData: true}); err != nil {
		t.Fatal(err)
	}
	l := f.ledger(t)
	added := 0
	for p := range after {
		if !before[p] {
			added++
			if _, ok := l.Packs[p]; ok {
				t.Errorf("pack %.8s, added after the check, is in the ledger", p)
			}
		}
		if _, ok := l.Seen[p]; !ok {
			t.Errorf("pack %.8s, in the index when the second check started, is not seen", p)
		}
	}
	if added == 0 || len(l.Checks) != 2 || l.Checks[1].PacksRead != 0 || l.Checks[0].PacksVerified != len(before) {
		t.Errorf("%d packs added; checks %+v", added, l.Checks)
	}

	if _, err := f.runner.Prune(t.Context(), PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	current := f.currentPacks(t)
	if _, err := f.runner.Check(t.Context(), CheckOptions{}); err != nil {
		t.Fatal(err)
	}
	l = f.ledger(t)
	dropped := 0
	for p := range before {
		if !current[p] {
			dropped++
		}
	}
	for _, m := range []map[string]time.Time{l.Packs, l.Seen} {
		for p := range m {
			if !current[p] {
				t.Errorf("pack %.8s, removed by prune, is still in the ledger", p)
			}
		}
	}
	if dropped == 0 {
		t.Errorf("prune removed no verified pack; the test proves nothing")
	}
}

func TestValidateReadDataSubset(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"auto/1", ""}, {"auto/256", ""}, {"5%", ""}, {"1/7", ""}, {"500M", ""},
		{"auto/0", "auto/N"}, {"auto/x", "auto/N"}, {"auto/1001", "at most 256"}, {"auto", "auto/N"}, {"auto/-2", "auto/N"},
		{"0/3", "n <= t"},
	} {
		err := ValidateReadDataSubset(tc.in)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, s := range []string{"auto/0", "auto/x", "auto/1001"} {
		_, err := loadYAML(t, validBase+"  check_read_data_subset: "+s+"\n", baseEnv(), LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), "restic.check_read_data_subset") || !strings.Contains(err.Error(), "auto/N") {
			t.Errorf("config with %s: %v", s, err)
		}
	}
	if _, err := loadYAML(t, validBase+"  check_read_data_subset: auto/7\n", baseEnv(), LoadOptions{}); err != nil {
		t.Errorf("config with auto/7: %v", err)
	}
}

// A damaged index stops the check before it reads any data: the group
// is read again by the next check.
func TestCheckRotationWaitsForIndex(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{})
	f.backups(t, 1)
	idx, err := filepath.Glob(filepath.Join(f.repoDir, "index", "*"))
	if err != nil || len(idx) == 0 {
		t.Fatalf("no index: %v", err)
	}
	if err := os.WriteFile(idx[0], []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		rec, _ := f.runner.Check(t.Context(), CheckOptions{ReadDataSubset: "auto/2"})
		if rec == nil || rec.ReadDataSubset != "1/2" || rec.Status != StatusFailed {
			t.Fatalf("check with a damaged index: %+v, want 1/2 failed", rec)
		}
	}
}
