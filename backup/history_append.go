package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// HistoryAppendOptions tune AppendHistory. The zero value appends to the
// local history only.
type HistoryAppendOptions struct {
	// Now is the entry's time when the record has no finished_at; nil
	// means time.Now.
	Now func() time.Time
	// Seed, when set, is called with the history locked when the local
	// history is empty (missing, or blank lines only). It returns the
	// entries to continue the chain from, oldest first: the repository's
	// mirror of the history, on a replaced accessory. They are written to
	// the local history before the new entry. A Seed error fails the
	// append, since starting a new chain would fork the mirrored one.
	Seed func() ([]HistoryEntry, error)
	// Logger receives warnings (a torn line kept, a history continued
	// from the repository); nil discards them.
	Logger *slog.Logger
}

// AppendHistory appends rec (a record with kind, status and finished_at,
// such as a *BackupRecord) to the state directory's history, linked to
// the last readable entry, and returns the new entry. The record is
// redacted with d.Redactor first.
//
// Appends are serialised by an exclusive flock on a lock file in the
// directory, so concurrent writers (processes or goroutines) never
// interleave or fork the chain, and the line is synced to disk before
// AppendHistory returns. A torn last line, as a crash while appending
// leaves, is kept (and reported by VerifyHistory), ended with a newline
// so that the new entry starts a line of its own.
func (d StateDir) AppendHistory(rec any, opts HistoryAppendOptions) (HistoryEntry, error) {
	if d.Path == "" {
		return HistoryEntry{}, errors.New("history: no state directory")
	}
	e, err := d.newHistoryEntry(rec, opts.Now)
	if err != nil {
		return HistoryEntry{}, err
	}
	release, err := lockHistory(d.Path, true)
	if err != nil {
		return HistoryEntry{}, err
	}
	defer release()
	log, err := d.readHistoryLocked()
	if err != nil {
		return HistoryEntry{}, err
	}
	var data []byte
	if log.unterminated {
		orDiscard(opts.Logger).Warn("the history's last line is incomplete (a crash while appending?); it is kept and reported by evidence history",
			"file", filepath.Join(d.Path, HistoryFile))
		data = append(data, '\n')
	}
	if log.Empty() && opts.Seed != nil {
		seed, err := opts.Seed()
		if err != nil {
			return HistoryEntry{}, fmt.Errorf("history: continue the chain mirrored in the repository: %w", err)
		}
		for _, s := range seed {
			line, err := s.line()
			if err != nil {
				return HistoryEntry{}, err
			}
			data = append(data, line...)
		}
		log.Entries = seed
		if len(seed) > 0 {
			orDiscard(opts.Logger).Warn("the local history was empty: continuing the chain mirrored in the repository", "entries", len(seed))
		}
	}
	if last := log.last(); last != nil {
		e.Seq, e.Prev = last.Seq+1, last.Hash
	}
	if e.Hash, err = e.ComputeHash(); err != nil {
		return HistoryEntry{}, err
	}
	line, err := e.line()
	if err != nil {
		return HistoryEntry{}, err
	}
	if err := d.appendHistoryBytes(append(data, line...)); err != nil {
		return HistoryEntry{}, err
	}
	return e, nil
}

// newHistoryEntry makes entry 1 of rec: its redacted JSON, kind, status
// and time.
func (d StateDir) newHistoryEntry(rec any, now func() time.Time) (HistoryEntry, error) {
	data, err := json.Marshal(rec)
	if err != nil {
		return HistoryEntry{}, fmt.Errorf("history: encode the record: %w", err)
	}
	if d.Redactor != nil {
		if data, err = redactJSONValues(d.Redactor, data); err != nil {
			return HistoryEntry{}, fmt.Errorf("history: redact the record: %w", err)
		}
	}
	var h struct {
		Kind       string    `json:"kind"`
		Status     string    `json:"status"`
		FinishedAt time.Time `json:"finished_at"`
	}
	if err := json.Unmarshal(data, &h); err != nil {
		return HistoryEntry{}, fmt.Errorf("history: the record is not an object: %w", err)
	}
	if h.Kind == "" {
		return HistoryEntry{}, errors.New("history: the record has no kind")
	}
	at := h.FinishedAt
	if at.IsZero() {
		at = time.Now()
		if now != nil {
			at = now()
		}
	}
	return HistoryEntry{Seq: 1, Time: at.UTC(), Kind: h.Kind, Status: h.Status, Record: data}, nil
}

// appendHistoryBytes appends data to the history file with one write,
// syncs it, and syncs the directory when the file is new.
func (d StateDir) appendHistoryBytes(data []byte) error {
	path := filepath.Join(d.Path, HistoryFile)
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("append to the history: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && statErr != nil {
		err = syncDir(d.Path)
	}
	if err != nil {
		return fmt.Errorf("append to the history: %w", err)
	}
	return nil
}
