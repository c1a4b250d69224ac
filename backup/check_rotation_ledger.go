package backup

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// VerifiedPacksRecord holds the VerifiedPacks ledger.
const VerifiedPacksRecord = "verified_packs.json"

// KindVerifiedPacks is the kind of a VerifiedPacks record.
const KindVerifiedPacks = "verified_packs"

// maxLedgerChecks bounds VerifiedPacks.Checks: about three years of daily
// checks.
const maxLedgerChecks = 1000

// VerifiedPacks is the ledger of the packs checks have read and verified
// (kind verified_packs), stored as VerifiedPacksRecord and updated by
// every check that runs to completion. The evidence's
// verification_coverage is computed from it.
type VerifiedPacks struct {
	RecordHeader
	// UpdatedAt is when the last check updated the ledger.
	UpdatedAt time.Time `json:"updated_at"`
	// Packs maps the full ID of every pack a check read and found
	// intact to when that check last did. Packs no longer in the
	// repository's index are dropped by the next check.
	Packs map[string]time.Time `json:"packs"`
	// Seen maps the full ID of every pack that was in the index when
	// the last check started to when the first check that saw it there
	// started: the packs a check has been due to read. Packs written
	// since are not in it; packs no longer in the index are dropped. A
	// check stopped by a damaged index leaves it as it was.
	Seen map[string]time.Time `json:"seen"`
	// Checks are the latest checks that ran to completion, oldest first,
	// at most 1000.
	Checks []VerifiedCheck `json:"checks"`
}

// VerifiedCheck is one check in the ledger.
type VerifiedCheck struct {
	// At is when the check finished reading.
	At time.Time `json:"at"`
	// Status is StatusOK, or StatusFailed when it found damage.
	Status string `json:"status"`
	// ReadDataSubset is the subset read ("2/7", "5%"); empty for none.
	ReadDataSubset string `json:"read_data_subset,omitempty"`
	// PacksRead counts the packs read, PacksVerified those found intact,
	// PacksTotal those in the index.
	PacksRead     int `json:"packs_read"`
	PacksVerified int `json:"packs_verified"`
	PacksTotal    int `json:"packs_total"`
}

// loadLedger reads the ledger; one that cannot be read is started
// afresh.
func (r *Runner) loadLedger() *VerifiedPacks {
	var l VerifiedPacks
	if _, err := r.Config.StateDir().ReadRecord(VerifiedPacksRecord, &l); err != nil {
		r.log().Warn("verified packs ledger unreadable, starting afresh", "err", err)
		l = VerifiedPacks{}
	}
	if l.Packs == nil {
		l.Packs = map[string]time.Time{}
	}
	if l.Seen == nil {
		l.Seen = map[string]time.Time{}
	}
	return &l
}

// recordVerified adds a check that ran from start to at to the ledger
// l: its time for every pack it verified, the check itself and, when
// the index was intact, the packs it saw in the index, dropping those
// the index no longer lists. The caller holds the repository's
// exclusive lock, so checks update the ledger one at a time.
func (r *Runner) recordVerified(ctx context.Context, rp *repo.Repository, l *VerifiedPacks, res *repo.CheckResult, subset string, start, at time.Time) error {
	l.RecordHeader, l.UpdatedAt = NewRecordHeader(KindVerifiedPacks), at
	for _, p := range res.PacksVerified {
		l.Packs[p] = at
	}
	for _, p := range res.BrokenPacks {
		delete(l.Packs, p)
	}
	if indexIntact(res) {
		ids, err := rp.PackIDs(ctx)
		if err != nil {
			return fmt.Errorf("verified packs ledger: %w", err)
		}
		l.see(ids, start)
	}
	status := StatusOK
	if !res.OK() {
		status = StatusFailed
	}
	l.Checks = append(l.Checks, VerifiedCheck{At: at, Status: status, ReadDataSubset: subset,
		PacksRead: res.PacksRead, PacksVerified: len(res.PacksVerified), PacksTotal: res.PacksTotal})
	if n := len(l.Checks); n > maxLedgerChecks {
		l.Checks = slices.Clone(l.Checks[n-maxLedgerChecks:])
	}
	if err := r.Config.StateDir().WriteRecord(VerifiedPacksRecord, l); err != nil {
		return fmt.Errorf("verified packs ledger: %w", err)
	}
	return nil
}

// indexIntact reports whether the check loaded every index file.
func indexIntact(res *repo.CheckResult) bool {
	return !slices.ContainsFunc(res.Errors, func(i repo.CheckIssue) bool { return i.Kind == repo.IssueIndexDamaged })
}
