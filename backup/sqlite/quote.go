package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/kamal-backup/kamal-backup/backup"
)

// dotArg quotes s as one argument of a sqlite3 dot-command. Inside double
// quotes, sqlite3 resolves C-style backslash escapes, so a backslash and a
// double quote are escaped and control characters (a dot-command is one
// line) become three-digit octal escapes; every other byte, UTF-8
// included, stands for itself. s must not contain NUL, which no file name
// can.
func dotArg(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// absPath returns db.Path made absolute, as run and dotArg need it.
func absPath(db backup.Database) (string, error) {
	switch {
	case db.Path == "":
		return "", errors.New("no database path configured")
	case strings.ContainsRune(db.Path, 0):
		return "", errors.New("database path contains a NUL byte")
	}
	return filepath.Abs(db.Path)
}

// pathErr drops the path from an *fs.PathError, which dbError already
// shows, keeping the cause (so errors.Is(err, fs.ErrNotExist) still holds).
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}
