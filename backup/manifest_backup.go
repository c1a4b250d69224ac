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
	// summary says what was stored, once extra has run; nil when the
	// adapter does not count rows.
	summary *RowCountsSummary
}

// RowCountsSummary says whether a database source's snapshot holds a
// row-count manifest (see RowCounts), in the backup record.
type RowCountsSummary struct {
	// Stored is true when the manifest is in the snapshot.
	Stored bool `json:"stored"`
	// Tables counts the tables it lists; Exact is its Exact.
	Tables int  `json:"tables"`
	Exact  bool `json:"exact"`
	// Error says why no manifest was stored, redacted.
	Error string `json:"error,omitempty"`
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
			msg := b.r.Config.Redactor().Redact(err.Error())
			b.r.log().Warn("dump stored without a row-count manifest; drills of it cannot verify the data",
				"database", db.Name, "error", msg)
			m.summary = &RowCountsSummary{Error: msg}
			return nil, nil
		}
		data = append(data, '\n')
		m.size = uint64(len(data))
		m.summary = &RowCountsSummary{Stored: true, Tables: len(counts.Tables), Exact: counts.Exact}
		b.r.log().Debug("row-count manifest", "database", db.Name, "tables", len(counts.Tables), "exact", counts.Exact)
		return []repo.ExtraFile{{Name: path.Base(name) + RowCountsSuffix, Data: data}}, nil
	}
	return cd, m, nil
}
