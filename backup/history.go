package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// HistoryFile is the history in the state directory: every backup,
// check and drill record, one HistoryEntry per line (JSON Lines), each
// entry holding the hash of the one before, so that an entry edited or
// deleted breaks the chain.
const HistoryFile = "history.jsonl"

// historyLockFile is the file in the state directory whose flock
// serialises the history's writers (and keeps readers off a line being
// written).
const historyLockFile = "history.lock"

// SourceEvidence is the type tag value ("type:evidence") of the
// snapshots mirroring the history into the repository. They are no
// backups: no retention group, list or evidence backup count includes
// them.
const SourceEvidence = "evidence"

// HistoryEntry is one entry of the history. Its JSON form, one per line
// of HistoryFile and one per mirror snapshot, and the canonical form its
// hash covers are documented in docs/SECURITY.md.
type HistoryEntry struct {
	// Seq numbers the entries 1, 2, 3, ... without gaps.
	Seq int64 `json:"seq"`
	// Time is when the recorded run finished (its finished_at), in UTC.
	Time time.Time `json:"time"`
	// Kind and Status are the record's: KindBackupResult,
	// KindCheckResult or KindDrillResult; StatusOK, StatusFailed, ...
	Kind   string `json:"kind"`
	Status string `json:"status"`
	// Record is the record as stored in the state directory, redacted.
	Record json.RawMessage `json:"record"`
	// Prev is the Hash of entry Seq-1; empty for entry 1.
	Prev string `json:"prev"`
	// Hash is the hex SHA-256 of the entry's canonical form
	// (CanonicalJSON).
	Hash string `json:"hash"`
}

// historyBody is a HistoryEntry without its hash: what the hash covers.
type historyBody struct {
	Seq    int64           `json:"seq"`
	Time   time.Time       `json:"time"`
	Kind   string          `json:"kind"`
	Status string          `json:"status"`
	Record json.RawMessage `json:"record"`
	Prev   string          `json:"prev"`
}

// CanonicalJSON returns the bytes e's hash covers: the entry without its
// hash field, as compact JSON with the fields in declaration order and
// no HTML escaping. A line of HistoryFile is these bytes with
// `,"hash":"<hex>"` inserted before the final "}".
func (e HistoryEntry) CanonicalJSON() ([]byte, error) {
	return encodeCompact(historyBody{Seq: e.Seq, Time: e.Time, Kind: e.Kind, Status: e.Status, Record: e.Record, Prev: e.Prev})
}

// ComputeHash returns the hex SHA-256 of e's canonical form.
func (e HistoryEntry) ComputeHash() (string, error) {
	b, err := e.CanonicalJSON()
	if err != nil {
		return "", fmt.Errorf("history entry %d: %w", e.Seq, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ShortHash is the first 12 characters of the entry's hash, for people.
func (e HistoryEntry) ShortHash() string { return shortHash(e.Hash) }

// shortHash is the first 12 characters of h.
func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// line returns e as one line of HistoryFile, with its final newline.
func (e HistoryEntry) line() ([]byte, error) {
	b, err := encodeCompact(e)
	if err != nil {
		return nil, fmt.Errorf("history entry %d: %w", e.Seq, err)
	}
	return append(b, '\n'), nil
}

// encodeCompact encodes v as compact JSON without HTML escaping and
// without a final newline.
func encodeCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
