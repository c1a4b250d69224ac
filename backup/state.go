package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/kamal-backup/kamal-backup/redact"
)

// The state records, by file name, as the Ruby kamal-backup names them.
const (
	// LastBackupRecord holds the BackupRecord of the latest backup run.
	LastBackupRecord = "last_backup.json"
	// LastCheckRecord holds the CheckRecord of the latest check.
	LastCheckRecord = "last_check.json"
	// LastDrillRecord holds the DrillRecord of the latest restore drill.
	LastDrillRecord = "last_restore_drill.json"
)

// StateDir is the directory holding the state records (run results the
// scheduler and the evidence read back). The zero value has no path and
// fails every operation.
//
// Records are written atomically: a reader sees the previous record or
// the new one, never a mix, and a crash leaves no half-written record.
// Concurrent writers of the same record are safe; the last rename wins.
type StateDir struct {
	// Path is the directory. WriteRecord creates it with mode 0700 when
	// missing; an existing directory (a mounted volume) keeps its mode.
	Path string
	// Redactor, when set, cleans every string value of a record before it is written,
	// as a last defence: records should hold redacted text already.
	Redactor *redact.Redactor
}

// WriteRecord stores v as JSON under name (a plain file name such as
// LastBackupRecord) with mode 0600: into a temporary file in the same
// directory, synced, then renamed over the old record, and the directory
// synced. On error the old record is left as it was and no temporary file
// remains.
func (d StateDir) WriteRecord(name string, v any) (err error) {
	path, err := d.recordPath(name)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if d.Redactor != nil {
		clean, err := redactJSONValues(d.Redactor, data)
		if err != nil {
			return fmt.Errorf("write state record %s: redact: %w", name, err)
		}
		var indented bytes.Buffer
		if err := json.Indent(&indented, clean, "", "  "); err != nil {
			return fmt.Errorf("write state record %s: %w", name, err)
		}
		data = indented.Bytes()
	}
	data = append(data, '\n')
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	f, err := os.CreateTemp(d.Path, "."+name+".tmp-*")
	if err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write state record %s: %w", name, err)
	}
	if err := syncDir(d.Path); err != nil {
		return fmt.Errorf("write state record %s: sync directory: %w", name, err)
	}
	return nil
}

// ReadRecord decodes the record name into v. found is false, with a nil
// error, when there is no such record yet. Unknown fields are ignored, so
// records written by newer versions still read.
func (d StateDir) ReadRecord(name string, v any) (found bool, err error) {
	path, err := d.recordPath(name)
	if err != nil {
		return false, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read state record %s: %w", name, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return true, fmt.Errorf("read state record %s: %w", path, err)
	}
	return true, nil
}

// recordPath returns the file of record name, refusing names that are
// not plain file names.
func (d StateDir) recordPath(name string) (string, error) {
	if d.Path == "" {
		return "", errors.New("state record: no state directory")
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("state record %q: not a plain file name", name)
	}
	return filepath.Join(d.Path, name), nil
}

// syncDir flushes a directory's entries (a rename) to disk. File systems
// that cannot sync a directory are not an error.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, syscall.EINVAL) {
		return err
	}
	return nil
}
