package backup

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo"
)

// maxManifestSize bounds the row-count manifest a drill reads.
const maxManifestSize = 16 << 20

// verifyData compares every restored database of j with the row-count
// manifest of its snapshot, in order, appending the results to
// rec.DataVerification. Every database is verified; the error joins
// those that failed, each naming its database.
func (r *Restorer) verifyData(ctx context.Context, j *job, sel *selection, rec *DrillRecord, ph *phases) error {
	var errs []error
	for i, t := range j.dbs {
		v, err := r.verifyDatabase(ctx, j, t, sel.dbs[i], ph)
		rec.DataVerification = append(rec.DataVerification, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("verify database %q: %w", t.db.Name, err))
		}
	}
	return errors.Join(errs...)
}

// verifyDatabase verifies one restored database (see DataVerification).
// A snapshot without a manifest, or an adapter that cannot count rows,
// is skipped; the phase is timed only when rows are counted.
func (r *Restorer) verifyDatabase(ctx context.Context, j *job, t dbTarget, c dbChoice, ph *phases) (DataVerification, error) {
	v := DataVerification{Database: t.db.Name, Status: StatusSkipped, Manifest: ManifestMissing, Mismatches: []TableMismatch{}}
	fail := func(err error) (DataVerification, error) {
		v.Status, v.Reason = StatusFailed, r.redact(j.mode, err.Error())
		return v, err
	}
	begin := r.now()
	want, err := r.readManifest(ctx, c, t.adapter.Name())
	switch {
	case err != nil:
		return fail(err)
	case want == nil:
		v.Reason = "the snapshot holds no row-count manifest (written before manifests existed, by the Ruby kamal-backup, or the counting failed at backup time)"
		return v, nil
	}
	v.Manifest, v.Exact, v.Method = ManifestPresent, want.Exact, want.Method
	if !want.CountedAt.IsZero() {
		at := want.CountedAt
		v.CountedAt = &at
	}
	counter, ok := t.adapter.(RowCounter)
	if !ok {
		v.Reason = "the " + t.adapter.Name() + " adapter cannot count rows"
		return v, nil
	}
	r.log.Info("verifying restored rows", "database", t.db.Name, "tables", len(want.Tables), "exact", want.Exact)
	got, err := counter.CountRows(ctx, t.db)
	ph.add(PhaseVerifyData, begin, r.now())
	ph.list[len(ph.list)-1].Database = t.db.Name
	if err != nil {
		return fail(fmt.Errorf("count the restored rows: %w", err))
	}
	if err := compareRowCounts(&v, want, got); err != nil {
		return fail(err)
	}
	if v.Status == StatusWarning {
		r.log.Warn("restored row counts differ from the approximate manifest", "database", t.db.Name,
			"mismatches", r.redact(j.mode, describeMismatches(v.Mismatches)))
	}
	return v, nil
}

// readManifest reads the row-count manifest beside the dump of c; nil
// when the snapshot has none.
func (r *Restorer) readManifest(ctx context.Context, c dbChoice, adapter string) (*RowCounts, error) {
	name := c.filename + RowCountsSuffix
	if c.snap.Tree == nil {
		return nil, nil
	}
	if _, err := r.repo.FindNode(ctx, *c.snap.Tree, name); errors.Is(err, repo.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find /%s: %w", name, err)
	}
	rc, err := r.repo.OpenFile(ctx, c.snap, name)
	if err != nil {
		return nil, fmt.Errorf("open /%s: %w", name, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read /%s: %w", name, err)
	}
	if len(data) > maxManifestSize {
		return nil, fmt.Errorf("/%s is larger than %d bytes", name, maxManifestSize)
	}
	m, err := ParseRowCounts(data)
	if err != nil {
		return nil, fmt.Errorf("/%s: %w", name, err)
	}
	if m.Adapter != "" && CanonicalAdapter(m.Adapter) != adapter {
		return nil, fmt.Errorf("/%s counts a %s database, the target is %s", name, m.Adapter, adapter)
	}
	return m, nil
}
