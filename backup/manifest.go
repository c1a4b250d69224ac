package backup

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
)

// RowCountsSuffix is added to a dump's file name to name its row-count
// manifest, stored beside the dump in the same snapshot:
// databases/<app>/<database>/<adapter>.<ext>.rowcounts.json. The dump's
// name is a prefix of the manifest's, so restic ls lists the dump first.
const RowCountsSuffix = ".rowcounts.json"

// KindRowCounts is the kind of a row-count manifest.
const KindRowCounts = "row_counts"

// RowCounts is a row-count manifest: how many rows each table of a
// database held when it was dumped (or, in a drill, after it was
// restored).
type RowCounts struct {
	RecordHeader
	// Database is the configured name of the database.
	Database string `json:"database"`
	// Adapter is the canonical adapter name.
	Adapter string `json:"adapter"`
	// Exact reports whether the counts are those of the data the dump
	// holds (counted in the very snapshot the dump read) rather than an
	// approximation made beside it.
	Exact bool `json:"exact"`
	// Method says how the rows were counted, for people.
	Method string `json:"method"`
	// Tables are the counted tables, sorted by schema and name.
	Tables []TableRows `json:"tables"`
	// CountedAt is when the counting started.
	CountedAt time.Time `json:"counted_at"`
}

// TableRows is the row count of one table.
type TableRows struct {
	// Schema is the table's schema for PostgreSQL; empty for SQLite and
	// MySQL, whose dumps restore into a database of any name.
	Schema string `json:"schema,omitempty"`
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
}

// Label is the table's name as shown in records and errors: schema.name,
// or the name alone when there is no schema.
func (t TableRows) Label() string {
	if t.Schema == "" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// RowCounter is implemented by adapters that can count the rows of a
// database's tables, so that a backup stores a row-count manifest beside
// each dump and a drill compares the restored database with it.
// Implementations must be safe for concurrent use.
type RowCounter interface {
	// DumpCounted starts a dump of db as Dump does, with the same errors,
	// and counts the rows of the tables it dumps. When the counts cannot
	// be made (the server refuses an exported snapshot, say), the dump
	// still runs and RowCounts returns the reason.
	DumpCounted(ctx context.Context, db Database) (CountedDump, error)
	// CountRows counts the rows of every table of db the way the
	// manifests of DumpCounted count them (a drill counts the restored
	// database with it). Its errors name the database and hold no secret.
	CountRows(ctx context.Context, db Database) (*RowCounts, error)
}

// CountedDump is a dump stream whose row counts are known once it has
// been read to its end.
type CountedDump interface {
	io.ReadCloser
	// RowCounts returns the counts of the tables the dump holds. It may
	// be called once Read has returned io.EOF, before or after Close,
	// and blocks until the counts are made or ctx is done. An error means
	// there are no counts; the dump itself is still good.
	RowCounts(ctx context.Context) (*RowCounts, error)
}

// finish fills the header, database and adapter of m and sorts its
// tables.
func (m *RowCounts) finish(database, adapter string) {
	m.RecordHeader = NewRecordHeader(KindRowCounts)
	m.Database, m.Adapter = database, adapter
	if m.Tables == nil {
		m.Tables = []TableRows{}
	}
	slices.SortFunc(m.Tables, func(a, b TableRows) int {
		return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
	})
}

// ParseRowCounts decodes a row-count manifest, refusing one of another
// kind or of a newer schema version.
func ParseRowCounts(data []byte) (*RowCounts, error) {
	var m RowCounts
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("row-count manifest: %w", err)
	}
	if m.Kind != KindRowCounts || m.SchemaVersion < 1 || m.SchemaVersion > RecordSchemaVersion {
		return nil, fmt.Errorf("row-count manifest: kind %q, schema_version %d; want %q, %d", m.Kind, m.SchemaVersion, KindRowCounts, RecordSchemaVersion)
	}
	return &m, nil
}
