package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// HistoryLog is the history as read from the state directory.
type HistoryLog struct {
	// Entries are the readable entries, in file order.
	Entries []HistoryEntry
	// Bad are the lines that are not entries, in file order.
	Bad []HistoryBadLine
	// Size is the file's size in bytes; 0 when there is no history.
	Size int64

	// unterminated is set when the file does not end with a newline.
	unterminated bool
}

// HistoryBadLine is a line of HistoryFile that is not an entry.
type HistoryBadLine struct {
	// Line is the line's number, from 1.
	Line int
	// Bytes is the line's length.
	Bytes int
	// Torn is set for a last line without its newline that does not
	// decode: what a crash while appending leaves.
	Torn bool
	// Err says why the line is not an entry.
	Err string
}

// Empty reports whether the log holds nothing: no entry, no bad line.
func (l *HistoryLog) Empty() bool { return len(l.Entries) == 0 && len(l.Bad) == 0 }

// last returns the last readable entry, or nil.
func (l *HistoryLog) last() *HistoryEntry {
	if len(l.Entries) == 0 {
		return nil
	}
	return &l.Entries[len(l.Entries)-1]
}

// ReadHistory reads the state directory's history under a shared lock,
// so that a line being appended is never seen half-written. A missing
// history (or state directory) is an empty log, not an error. Lines that
// are not entries are returned in Bad, not dropped.
func (d StateDir) ReadHistory() (*HistoryLog, error) {
	if d.Path == "" {
		return nil, errors.New("history: no state directory")
	}
	release, err := lockHistory(d.Path, false)
	if err != nil {
		return nil, err
	}
	defer release()
	return d.readHistoryLocked()
}

// readHistoryLocked reads the history; the caller holds its lock.
func (d StateDir) readHistoryLocked() (*HistoryLog, error) {
	data, err := os.ReadFile(filepath.Join(d.Path, HistoryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &HistoryLog{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the history: %w", err)
	}
	return parseHistory(data), nil
}

// parseHistory splits data into entries and bad lines. Blank lines are
// skipped.
func parseHistory(data []byte) *HistoryLog {
	l := &HistoryLog{Size: int64(len(data)), unterminated: len(data) > 0 && data[len(data)-1] != '\n'}
	lines := bytes.Split(data, []byte("\n"))
	for i, b := range lines {
		last := i == len(lines)-1 // the text after the final newline, if any
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		e, err := decodeHistoryLine(b)
		if err != nil {
			l.Bad = append(l.Bad, HistoryBadLine{Line: i + 1, Bytes: len(b), Torn: last, Err: err.Error()})
			continue
		}
		l.Entries = append(l.Entries, e)
	}
	return l
}

// decodeHistoryLine decodes one entry, refusing JSON that is not one.
func decodeHistoryLine(b []byte) (HistoryEntry, error) {
	var e HistoryEntry
	if err := json.Unmarshal(b, &e); err != nil {
		return e, fmt.Errorf("not JSON: %w", err)
	}
	if e.Seq <= 0 || e.Hash == "" || e.Kind == "" {
		return e, errors.New("not a history entry (no seq, kind or hash)")
	}
	return e, nil
}
