package evidence

import (
	"encoding/json"
	"fmt"

	"github.com/kamal-backup/kamal-backup/backup"
)

// recordFact is a state record as stored (raw, for the document) and
// decoded (value, for the objectives). value is nil when raw is missing
// or unreadable.
type recordFact[T any] struct {
	raw   Fact[json.RawMessage]
	value *T
}

// readRecord reads the state record name. A missing record is a missing
// Fact; one that cannot be read or does not decode as T is an unreadable
// Fact.
func readRecord[T any](sd backup.StateDir, name string) recordFact[T] {
	var raw json.RawMessage
	found, err := sd.ReadRecord(name, &raw)
	switch {
	case err != nil:
		return recordFact[T]{raw: Failed[json.RawMessage](err)}
	case !found:
		return recordFact[T]{}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return recordFact[T]{raw: Failed[json.RawMessage](fmt.Errorf("decode state record %s: %w", name, err))}
	}
	return recordFact[T]{raw: Known(raw), value: &v}
}
