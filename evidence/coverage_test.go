package evidence

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend/local"
)

// reopen opens the fixture's repository afresh, as the evidence command
// does, so that packs written through other handles are in its index.
func (f *fixture) reopen(t testing.TB) *repo.Repository {
	t.Helper()
	be, err := local.Open(filepath.Join(f.dir, "repo"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(context.Background(), be, f.cfg.RepositoryPassword().Reveal(), repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// packs returns the full IDs of the packs in the repository's index.
func (f *fixture) packs(t testing.TB) []string {
	t.Helper()
	ids, err := f.reopen(t).PackIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

// coverageOf collects the evidence from a fresh handle over window and
// returns its verification coverage, failing the test if it is missing.
func (f *fixture) coverageOf(t testing.TB, window time.Duration) *VerificationCoverage {
	t.Helper()
	opts := f.options()
	opts.Window = window
	doc, err := Collect(context.Background(), f.cfg, f.reopen(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	if doc.VerificationCoverage.Value == nil {
		t.Fatalf("no verification coverage: %s", doc.VerificationCoverage.Error)
	}
	return doc.VerificationCoverage.Value
}

// checker returns a Runner on the fixture whose clock reads *at.
func (f *fixture) checker(at *time.Time) *backup.Runner {
	return &backup.Runner{Config: f.cfg, Now: func() time.Time { return *at }}
}

// check runs a check reading subset at time at.
func (f *fixture) check(t testing.TB, subset string, at time.Time) *backup.CheckRecord {
	t.Helper()
	rec, err := f.checker(&at).Check(context.Background(), backup.CheckOptions{ReadDataSubset: subset})
	if err != nil {
		t.Fatalf("check %s: %v", subset, err)
	}
	return rec
}

// writeLedger stores a verified packs ledger: packs verified, packs seen
// in the index by a check, and checks that ran at the times given.
func (f *fixture) writeLedger(t testing.TB, packs, seen map[string]time.Time, checks ...time.Time) {
	t.Helper()
	l := backup.VerifiedPacks{RecordHeader: backup.NewRecordHeader(backup.KindVerifiedPacks), Packs: packs, Seen: seen}
	for _, at := range checks {
		l.Checks = append(l.Checks, backup.VerifiedCheck{At: at, Status: backup.StatusOK})
	}
	if err := f.cfg.StateDir().WriteRecord(backup.VerifiedPacksRecord, &l); err != nil {
		t.Fatal(err)
	}
}

// Four checks with auto/4, with backups between them and after them,
// verify every pack that was in the index when the last one started:
// the share is exactly 1. The packs written after it (the late backup,
// the last check's history mirrored into the repository) are not yet
// due; the rotation starts over.
func TestCoverageRotationCycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 3)
	for k := range 4 {
		at := now.Add(-time.Duration(4-k) * day)
		f.check(t, "auto/4", at)
		f.backupDatabase(t, "app", "postgres", at.Add(time.Hour), fmt.Sprintf("between-%d", k))
	}
	c := f.coverageOf(t, 0)
	if c.Share == nil || *c.Share != 1 || c.PacksNeverVerified != 0 || c.OldestVerifiedAt == nil ||
		c.PacksVerifiedInWindow != c.PacksTotal-c.PacksAddedSinceLastCheck || c.PacksAddedSinceLastCheck == 0 ||
		c.ChecksInWindow != 4 {
		t.Errorf("coverage %+v after a cycle of auto/4", c)
	}
	if r := c.Rotation.Value; r == nil || *r != (Rotation{Buckets: 4, Next: 1}) {
		t.Errorf("rotation %+v", c.Rotation)
	}
	if !c.WindowEnd.Equal(now) || c.WindowSeconds != int64(DefaultWindow/time.Second) {
		t.Errorf("window %v, %ds", c.WindowEnd, c.WindowSeconds)
	}
}

// Only verifications inside the window count, and only checks inside it
// are counted. The second check of the rotation also reads the packs
// the first one's history added.
func TestCoverageWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 3)
	old := f.check(t, "auto/2", now.Add(-40*day))
	recent := f.check(t, "auto/2", now.Add(-2*day))
	nOld, nRecent := len(old.Result.PacksVerified), len(recent.Result.PacksVerified)
	if nOld == 0 || nRecent == 0 || old.ReadDataSubset != "1/2" || recent.ReadDataSubset != "2/2" {
		t.Fatalf("checks read %s (%d packs) and %s (%d packs)", old.ReadDataSubset, nOld, recent.ReadDataSubset, nRecent)
	}
	if c := f.coverageOf(t, 30*day); c.PacksVerifiedInWindow != nRecent || c.ChecksInWindow != 1 ||
		*c.Share >= 1 || c.OldestVerifiedAt == nil || !c.OldestVerifiedAt.Equal(now.Add(-40*day)) {
		t.Errorf("30 days: %+v, want %d packs verified by one check", c, nRecent)
	}
	if c := f.coverageOf(t, 60*day); c.PacksVerifiedInWindow != nOld+nRecent || c.ChecksInWindow != 2 || *c.Share != 1 {
		t.Errorf("60 days: %+v, want %d packs verified by two checks", c, nOld+nRecent)
	}
}

// Packs written after the last check started are not yet due: they are
// reported apart and leave the share at 1. Once a check has seen them
// they are due, and count as never verified until one reads them.
func TestCoverageNewPacksNotYetDue(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 2)
	rec := f.check(t, "auto/1", now.Add(-day))
	checked := len(f.packs(t))
	f.backupDatabase(t, "app", "postgres", now.Add(-time.Hour), "late")
	late := len(f.packs(t)) - checked
	c := f.coverageOf(t, 0)
	verified := len(rec.Result.PacksVerified)
	if late == 0 || c.PacksVerifiedInWindow != verified || c.PacksAddedSinceLastCheck != c.PacksTotal-verified ||
		c.PacksAddedSinceLastCheck < late || c.PacksNeverVerified != 0 || *c.Share != 1 || c.OldestVerifiedAt == nil {
		t.Errorf("coverage %+v after %d packs were added to the %d verified", c, late, verified)
	}
	at := now.Add(-time.Minute)
	if _, err := f.checker(&at).Check(context.Background(), backup.CheckOptions{NoReadData: true}); err != nil {
		t.Fatal(err)
	}
	if c2 := f.coverageOf(t, 0); c2.PacksNeverVerified != c.PacksAddedSinceLastCheck || *c2.Share >= 1 || c2.OldestVerifiedAt != nil {
		t.Errorf("after a check that read no data: %+v, want the %d new packs due and never verified", c2, c.PacksAddedSinceLastCheck)
	}
}

// A pack that breaks is reported by the check that reads it and leaves
// the verified packs: it is due and never verified.
func TestCoverageBrokenPack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 2)
	first := f.check(t, "auto/1", now.Add(-2*day))
	broken := first.Result.PacksVerified[0]
	file := filepath.Join(f.dir, "repo", "data", broken[:2], broken)
	if err := os.Chmod(file, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-day)
	rec, err := f.checker(&at).Check(context.Background(), backup.CheckOptions{ReadDataSubset: "auto/1"})
	if !errors.Is(err, backup.ErrRepositoryDamaged) || rec == nil || !slices.Contains(rec.Result.BrokenPacks, broken) ||
		slices.Contains(rec.Result.PacksVerified, broken) {
		t.Fatalf("check of the broken pack %.8s: %v, %+v", broken, err, rec)
	}
	c := f.coverageOf(t, 0)
	if c.PacksNeverVerified != 1 || c.Share == nil || *c.Share >= 1 || c.OldestVerifiedAt != nil ||
		c.PacksVerifiedInWindow != c.PacksTotal-c.PacksAddedSinceLastCheck-1 {
		t.Errorf("coverage %+v with one broken pack", c)
	}
}

// The coverage is computed from the ledger against the index: packs the
// index no longer lists do not count, nor do packs no check has seen;
// the oldest verification bounds every pack's.
func TestCoverageFromLedger(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	f.daily(t, 2)
	packs := f.packs(t)
	gone := strings.Repeat("f", 64)
	ledger := map[string]time.Time{gone: now.Add(-time.Hour)}
	seen := map[string]time.Time{gone: now.Add(-40 * day)}
	for i, p := range packs[:len(packs)-1] {
		seen[p] = now.Add(-40 * day)
		ledger[p] = now.Add(-day)
		if i < 2 {
			ledger[p] = now.Add(-3 * day)
		}
	}
	f.writeLedger(t, ledger, seen, now.Add(-40*day), now.Add(-3*day), now.Add(-day))
	due := len(packs) - 1
	c := f.coverageOf(t, 0)
	if c.PacksTotal != len(packs) || c.PacksAddedSinceLastCheck != 1 || c.PacksVerifiedInWindow != due || c.PacksNeverVerified != 0 ||
		*c.Share != 1 || c.OldestVerifiedAt == nil || !c.OldestVerifiedAt.Equal(now.Add(-3*day)) || c.ChecksInWindow != 2 ||
		!c.Rotation.Missing() {
		t.Errorf("coverage %+v, want all %d packs due", c, due)
	}
	c = f.coverageOf(t, 2*day)
	if c.PacksVerifiedInWindow != due-2 || c.ChecksInWindow != 1 || c.OldestVerifiedAt == nil {
		t.Errorf("2 days: %+v", c)
	}
	if want := float64(int(float64(due-2)/float64(due)*1e4+0.5)) / 1e4; *c.Share != want {
		t.Errorf("share %v, want %v", *c.Share, want)
	}
	f.writeLedger(t, ledger, nil, now.Add(-day))
	if c := f.coverageOf(t, 0); c.PacksAddedSinceLastCheck != len(packs) || c.Share != nil || c.PacksNeverVerified != 0 {
		t.Errorf("no pack seen: %+v, want none due and a null share", c)
	}
}

// What cannot be read is recorded in its place.
func TestCoverageFailures(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "", nil)
	doc, err := Collect(context.Background(), f.cfg, nil, f.options())
	if err != nil || doc.VerificationCoverage.Error == "" {
		t.Errorf("without a repository: %+v %v", doc.VerificationCoverage, err)
	}
	state := filepath.Join(f.dir, "state")
	if err := os.WriteFile(filepath.Join(state, backup.CheckRotationRecord), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := f.coverageOf(t, 0); c.Rotation.Error == "" || c.PacksTotal != 0 || c.Share != nil {
		t.Errorf("unreadable rotation: %+v", c)
	}
	if err := os.WriteFile(filepath.Join(state, backup.VerifiedPacksRecord), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc = f.collect(t)
	if e := doc.VerificationCoverage.Error; !strings.Contains(e, backup.VerifiedPacksRecord) {
		t.Errorf("unreadable ledger: %+v", doc.VerificationCoverage)
	}
}

// writeCoverage records, for the golden evidence, checks three and one
// days ago that saw all the packs but the last two and verified the
// first half of those, and a rotation auto/4 whose next group is 3.
func (f *fixture) writeCoverage(t testing.TB) {
	t.Helper()
	packs := f.packs(t)
	due := packs[:len(packs)-2]
	ledger, seen := map[string]time.Time{}, map[string]time.Time{}
	for _, p := range due {
		seen[p] = now.Add(-3*day + time.Hour)
	}
	for i, p := range due[:len(due)/2] {
		ledger[p] = now.Add(-3*day + time.Hour)
		if i%2 == 1 {
			ledger[p] = now.Add(-day + time.Hour)
		}
	}
	f.writeLedger(t, ledger, seen, now.Add(-3*day+time.Hour), now.Add(-day+time.Hour))
	rot := backup.CheckRotation{RecordHeader: backup.NewRecordHeader(backup.KindCheckRotation), Buckets: 4, Next: 3,
		UpdatedAt: now.Add(-day + time.Hour)}
	if err := f.cfg.StateDir().WriteRecord(backup.CheckRotationRecord, &rot); err != nil {
		t.Fatal(err)
	}
}

// stableCoverage checks the coverage writeCoverage recorded, then
// replaces its pack counts with fixed numbers, which depend on how the
// writer packs blobs (see checkSize).
func stableCoverage(t testing.TB, doc *Document) {
	t.Helper()
	c := doc.VerificationCoverage.Value
	if c == nil {
		t.Fatalf("verification coverage %+v", doc.VerificationCoverage)
	}
	due := c.PacksTotal - 2
	if c.PacksAddedSinceLastCheck != 2 || c.PacksVerifiedInWindow != due/2 || c.PacksNeverVerified != due-due/2 ||
		c.ChecksInWindow != 2 || c.Rotation.Value == nil {
		t.Fatalf("verification coverage %+v", c)
	}
	share := 0.5
	c.PacksTotal, c.PacksAddedSinceLastCheck, c.PacksVerifiedInWindow, c.PacksNeverVerified, c.Share = 42, 2, 20, 20, &share
}

// The schema describes verification_coverage: the golden value passes,
// a share above 1 or a missing field does not.
func TestCoverageSchema(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	data, err := os.ReadFile(filepath.Join("testdata", "evidence.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"share above 1", func(c map[string]any) { c["share"] = 1.5 }, "$.verification_coverage"},
		{"missing field", func(c map[string]any) { delete(c, "packs_total") }, "$.verification_coverage"},
		{"bad rotation", func(c map[string]any) { c["rotation"] = map[string]any{"buckets": 0, "next": 1} }, "$.verification_coverage"},
	} {
		doc := decodeJSON(t, data).(map[string]any)
		tc.change(doc["verification_coverage"].(map[string]any))
		errs := s.validate(doc)
		if !strings.Contains(strings.Join(errs, "\n"), tc.want) {
			t.Errorf("%s: errors %v, want one at %s", tc.name, errs, tc.want)
		}
	}
	if errs := s.validate(decodeJSON(t, data)); len(errs) > 0 {
		t.Errorf("golden: %v", errs)
	}
}
