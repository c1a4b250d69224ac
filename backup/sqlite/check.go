package sqlite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/kamal-backup/kamal-backup/internal/command"
)

// headerMagic begins every SQLite 3 database file.
const headerMagic = "SQLite format 3\x00"

// headerSize is the size of the database header at the start of page 1.
const headerSize = 100

// readPageSize checks that the file at path starts with an SQLite database
// header and returns the page size recorded there. A file without one is
// ErrCorrupt.
func readPageSize(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var h [headerSize]byte
	if _, err := io.ReadFull(f, h[:]); errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return 0, fmt.Errorf("%w: too short for a database header", ErrCorrupt)
	} else if err != nil {
		return 0, err
	}
	if string(h[:len(headerMagic)]) != headerMagic {
		return 0, fmt.Errorf("%w: no %q header", ErrCorrupt, strings.TrimSuffix(headerMagic, "\x00"))
	}
	size := int(binary.BigEndian.Uint16(h[16:18]))
	if size == 1 {
		size = 65536
	}
	if size < 512 || size&(size-1) != 0 {
		return 0, fmt.Errorf("%w: invalid page size %d", ErrCorrupt, size)
	}
	return size, nil
}

// quickCheck runs PRAGMA quick_check on the database at path. A result
// other than "ok", or sqlite3 failing to read the file at all ("file is
// not a database", "database disk image is malformed"), is ErrCorrupt.
func (a *Adapter) quickCheck(ctx context.Context, path string) error {
	out, err := a.run(ctx, path, "PRAGMA quick_check;")
	var ee *command.ExitError
	switch {
	case errors.As(err, &ee) && ee.Err == nil:
		return fmt.Errorf("%w: PRAGMA quick_check: %v", ErrCorrupt, err)
	case err != nil:
		return fmt.Errorf("PRAGMA quick_check: %w", err)
	}
	if res := strings.TrimSpace(out); res != "ok" {
		first, _, _ := strings.Cut(res, "\n")
		return fmt.Errorf("%w: PRAGMA quick_check: %s", ErrCorrupt, first)
	}
	return nil
}
