package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// ErrRepositoryDamaged is wrapped by the error of Check, and of a
// backup's check step, when the check found damage in the repository.
var ErrRepositoryDamaged = errors.New("the repository check found errors")

// CheckOptions tune Check. The zero value checks the repository and reads
// the subset of pack data restic.check_read_data_subset names, if any.
type CheckOptions struct {
	// ReadDataSubset is the subset of pack data to download and verify
	// ("5%", "1/7", "500M", or "auto/7" for the next group of a
	// rotation through all packs); empty means the configured one.
	ReadDataSubset string
	// NoReadData reads no pack data, whatever is configured.
	NoReadData bool
}

// Check checks the repository's integrity, as `kamal-backup check` does,
// under an exclusive lock, and records the result as LastCheckRecord. A
// check that could not run (no repository, a backend failure) is recorded
// as failed too, except when another process held a lock (the error wraps
// repo.ErrLocked) or ctx was cancelled: then the previous record stands.
// The error wraps ErrRepositoryDamaged when damage was found; the record
// then has StatusFailed, the errors counted and a report in Output.
func (r *Runner) Check(ctx context.Context, opts CheckOptions) (*CheckRecord, error) {
	if r.Config == nil {
		return nil, errNoConfig
	}
	subset := cmp.Or(opts.ReadDataSubset, r.Config.Restic.CheckReadDataSubset)
	if opts.NoReadData {
		subset = ""
	}
	start := r.now()
	var rec *CheckRecord
	err := r.withRepo(ctx, func(rp *repo.Repository) error {
		var err error
		rec, err = r.check(ctx, rp, subset)
		return err
	})
	if rec == nil && ctx.Err() == nil && !errors.Is(err, repo.ErrLocked) {
		// The repository could not be opened: that is a failed check too.
		rec = newCheckRecord(start, subset)
		r.finishCheck(rec, nil, err)
		if werr := r.saveRecord(ctx, nil, LastCheckRecord, rec); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	return rec, r.redactError(err)
}

// check runs the check of rp under an exclusive lock and records it. The
// record is nil, and nothing is recorded, when ctx was cancelled or the
// repository was locked.
func (r *Runner) check(ctx context.Context, rp *repo.Repository, subset string) (*CheckRecord, error) {
	rec := newCheckRecord(r.now(), subset)
	var (
		res      *repo.CheckResult
		stateErr error // the rotation or the verified packs ledger could not be stored
	)
	err := r.withLock(ctx, rp, true, func(ctx context.Context, _ *repo.Lock) error {
		var err error
		res, stateErr, err = r.checkTracked(ctx, rp, rec)
		return err
	})
	switch {
	case ctx.Err() != nil:
		return nil, errors.Join(err, context.Cause(ctx))
	case errors.Is(err, repo.ErrLocked):
		return nil, err
	}
	err = r.finishCheck(rec, res, err)
	if werr := r.saveRecord(ctx, rp, LastCheckRecord, rec); werr != nil {
		err = errors.Join(err, werr)
	}
	err = errors.Join(err, stateErr)
	if err == nil {
		r.log().Info("check finished: no errors were found", "snapshots", res.SnapshotsChecked, "packs_read", res.PacksRead)
	}
	return rec, err
}

// newCheckRecord starts a check record. A rotating subset "auto/N" goes
// to ReadDataRotation; the group it stands for is set when the check
// starts.
func newCheckRecord(start time.Time, subset string) *CheckRecord {
	rec := &CheckRecord{RecordHeader: NewRecordHeader(KindCheckResult), StartedAt: start, ReadDataSubset: subset}
	if _, auto, _ := ParseAutoSubset(subset); auto {
		rec.ReadDataSubset, rec.ReadDataRotation = "", subset
	}
	return rec
}

// finishCheck completes rec with the check's result or the error that
// prevented it, and returns the check's error: err, or one wrapping
// ErrRepositoryDamaged when damage was found.
func (r *Runner) finishCheck(rec *CheckRecord, res *repo.CheckResult, err error) error {
	red := r.Config.Redactor()
	rec.FinishedAt = r.now()
	switch {
	case err != nil:
		rec.Status, rec.Error = StatusFailed, red.Redact(err.Error())
		return err
	case !res.OK():
		// The damage is in Output; Error is for a check that could not run.
		err = fmt.Errorf("%w: %d errors, first: %s", ErrRepositoryDamaged, len(res.Errors), res.Errors[0].Message)
		rec.Status = StatusFailed
	default:
		rec.Status = StatusOK
	}
	rec.Errors, rec.Result = len(res.Errors), res
	rec.Output = red.Redact(checkOutput(res))
	return err
}

// checkOutput is the check's report for people, ending as restic's
// does: "no errors were found" or "The repository is damaged and must
// be repaired.".
func checkOutput(res *repo.CheckResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "checked %d snapshots and %d trees", res.SnapshotsChecked, res.TreesChecked)
	if res.PacksRead > 0 {
		fmt.Fprintf(&b, ", read %d packs (%d bytes)", res.PacksRead, res.BytesRead)
	}
	b.WriteString("\n")
	for _, h := range res.Hints {
		b.WriteString(h.Message + "\n")
	}
	for _, e := range res.Errors {
		b.WriteString("error: " + e.Message + "\n")
	}
	if res.OK() {
		b.WriteString("no errors were found\n")
	} else {
		b.WriteString("The repository is damaged and must be repaired.\n")
	}
	return b.String()
}

// lastCheckFailed reports whether the last check recorded in the state
// directory failed. A record that cannot be read counts as failed and
// its error is returned.
func (r *Runner) lastCheckFailed() (bool, error) {
	var rec CheckRecord
	found, err := r.Config.StateDir().ReadRecord(LastCheckRecord, &rec)
	if err != nil {
		return true, err
	}
	return found && rec.Status == StatusFailed, nil
}
