package backup

import (
	"context"
	"encoding/json"
	"io"
	"path"

	"github.com/kamal-backup/kamal-backup/repo"
)

// manifestFile adds a dump's row-count manifest to its snapshot.
type manifestFile struct {
	// extra is the snapshot's repo.SnapshotOptions.Extra; nil when the
	// adapter does not count rows.
	extra func(ctx context.Context) ([]repo.ExtraFile, error)
	// size is the size of the manifest stored, once extra has run.
	size uint64
}

// startDump starts the dump of db, counting its rows when a is a
// RowCounter. The manifest is stored as the dump's file name (name) plus
// RowCountsSuffix. A manifest that cannot be made is a warning, never a
// failure: the dump is stored without one, and drills of that snapshot
// report the manifest missing.
func (b *backupRun) startDump(ctx context.Context, a Adapter, db Database, name string) (io.ReadCloser, *manifestFile, error) {
	m := &manifestFile{}
	counter, ok := a.(RowCounter)
	if !ok {
		rc, err := a.Dump(ctx, db)
		return rc, m, err
	}
	cd, err := counter.DumpCounted(ctx, db)
	if err != nil {
		return nil, m, err
	}
	m.extra = func(ctx context.Context) ([]repo.ExtraFile, error) {
		counts, err := cd.RowCounts(ctx)
		var data []byte
		if err == nil {
			counts.finish(db.Name, a.Name())
			data, err = json.MarshalIndent(counts, "", "  ")
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, context.Cause(ctx)
			}
			b.r.log().Warn("dump stored without a row-count manifest; drills of it cannot verify the data",
				"database", db.Name, "error", b.r.Config.Redactor().Redact(err.Error()))
			return nil, nil
		}
		data = append(data, '\n')
		m.size = uint64(len(data))
		b.r.log().Debug("row-count manifest", "database", db.Name, "tables", len(counts.Tables), "exact", counts.Exact)
		return []repo.ExtraFile{{Name: path.Base(name) + RowCountsSuffix, Data: data}}, nil
	}
	return cd, m, nil
}
