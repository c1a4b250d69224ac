package backup

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// CheckRotationRecord holds the CheckRotation of the "auto/N" read-data
// subset.
const CheckRotationRecord = "check_rotation.json"

// KindCheckRotation is the kind of a CheckRotation record.
const KindCheckRotation = "check_rotation"

// autoSubsetPrefix starts the rotating read-data subset "auto/N".
const autoSubsetPrefix = "auto"

// CheckRotation is where the rotating read-data subset "auto/N" stands
// (kind check_rotation), stored as CheckRotationRecord: the next check
// reads group Next of Buckets ("Next/Buckets"), so N checks in a row read
// every pack once. Each such check also reads the packs written since
// the cycle began that no check has verified yet (see VerifiedPacks), so
// a cycle of N checks verifies every pack that was in the index when its
// last check started.
type CheckRotation struct {
	RecordHeader
	// Buckets is the N of auto/N. A check with another N starts at 1.
	Buckets int `json:"buckets"`
	// Next is the group the next check reads, from 1 to Buckets.
	Next int `json:"next"`
	// CycleStartedAt is when the check of group 1 of the current cycle
	// started: packs a check first saw after it are not in the groups
	// this cycle has read, so the cycle's later checks read them too.
	CycleStartedAt time.Time `json:"cycle_started_at"`
	// UpdatedAt is when the last check of the rotation ran.
	UpdatedAt time.Time `json:"updated_at"`
}

// ParseAutoSubset reports whether s is the rotating form "auto/N" and
// returns N. A string starting with "auto" that is not a valid auto/N
// (1 ≤ N ≤ 256) is an error; other strings give ok false.
func ParseAutoSubset(s string) (n int, ok bool, err error) {
	if !strings.HasPrefix(s, autoSubsetPrefix) {
		return 0, false, nil
	}
	rest, found := strings.CutPrefix(s, autoSubsetPrefix+"/")
	n, aerr := strconv.Atoi(rest)
	switch {
	case !found || aerr != nil || n < 1:
		return 0, true, fmt.Errorf("read-data subset %q: auto/N needs a whole number of groups N from 1 to %d, e.g. auto/7",
			s, repo.MaxDataSubsetBuckets)
	case n > repo.MaxDataSubsetBuckets:
		return 0, true, fmt.Errorf("read-data subset %q: N of auto/N must be at most %d", s, repo.MaxDataSubsetBuckets)
	}
	return n, true, nil
}

// ValidateReadDataSubset checks a read-data subset as kamal-backup takes
// it: restic's forms (see repo.ParseDataSubset) or "auto/N".
func ValidateReadDataSubset(s string) error {
	if _, ok, err := ParseAutoSubset(s); ok {
		return err
	}
	_, err := repo.ParseDataSubset(s)
	return err
}

// startRotation turns subset into the subset a check starting at start
// reads: "auto/N" becomes "k/N", k being the group the rotation state
// names (1 when there is none, it cannot be read, or it is for another
// N; group 1 starts a cycle at start); other subsets are returned as
// they are, with a nil rotation. The caller holds the repository's
// exclusive lock.
func (r *Runner) startRotation(subset string, start time.Time) (string, *CheckRotation, error) {
	n, ok, err := ParseAutoSubset(subset)
	switch {
	case err != nil:
		return "", nil, err
	case !ok:
		return subset, nil, nil
	}
	var rot CheckRotation
	found, err := r.Config.StateDir().ReadRecord(CheckRotationRecord, &rot)
	if err != nil {
		r.log().Warn("check rotation state unreadable, starting at group 1", "err", err)
	}
	if !found || err != nil || rot.Buckets != n || rot.Next < 1 || rot.Next > n {
		rot = CheckRotation{Buckets: n, Next: 1}
	}
	if rot.Next == 1 {
		rot.CycleStartedAt = start
	}
	rot.RecordHeader = NewRecordHeader(KindCheckRotation)
	return fmt.Sprintf("%d/%d", rot.Next, n), &rot, nil
}

// advanceRotation stores that the check of rot's group ran at t: the
// next check reads the following group.
func (r *Runner) advanceRotation(rot *CheckRotation, t time.Time) error {
	rot.Next = rot.Next%rot.Buckets + 1
	rot.UpdatedAt = t
	if err := r.Config.StateDir().WriteRecord(CheckRotationRecord, rot); err != nil {
		return fmt.Errorf("check rotation: %w", err)
	}
	return nil
}

// checkTracked checks rp for rec, under the exclusive lock the caller
// holds: it resolves rec's rotation into the group to read (plus the
// packs new since the cycle began that no check has verified), runs the
// check and, when the check ran to completion (even finding damage, so
// that a broken pack does not hold back the other groups), updates the
// verified packs ledger and advances the rotation, unless a damaged
// index stopped the check before it read any data. err is the check's;
// stateErr says the rotation or the ledger could not be stored.
func (r *Runner) checkTracked(ctx context.Context, rp *repo.Repository, rec *CheckRecord) (res *repo.CheckResult, stateErr, err error) {
	start := r.now()
	l := r.loadLedger()
	opts := repo.CheckOptions{ReadDataSubset: rec.ReadDataSubset, NoLock: true, Progress: r.CheckProgress}
	var rot *CheckRotation
	if rec.ReadDataRotation != "" {
		if rec.ReadDataSubset, rot, err = r.startRotation(rec.ReadDataRotation, start); err != nil {
			return nil, nil, err
		}
		opts.ReadDataSubset, opts.ReadPack = rec.ReadDataSubset, l.newPacks(rot.CycleStartedAt)
	}
	res, err = rp.Check(ctx, opts)
	if err != nil {
		return nil, nil, err
	}
	at := r.now()
	if rot != nil && indexIntact(res) {
		stateErr = r.advanceRotation(rot, at)
	}
	return res, errors.Join(stateErr, r.recordVerified(ctx, rp, l, res, rec.ReadDataSubset, start, at)), nil
}
