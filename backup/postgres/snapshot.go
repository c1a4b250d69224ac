package postgres

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/kamal-backup/kamal-backup/internal/command"
)

// snapshotHolder is a psql session whose open transaction holds the
// snapshot it exported: pg_dump and the row counting import it, and it
// stays valid until the session ends.
//
// psql reads its script from a named pipe that the holder keeps open for
// reading and writing, not from its standard input: a command's input
// copy (command.Spec.Stdin) would keep the command from ending, should
// psql fail, until the input ends. Closing the pipe ends psql's input; if
// kamal-backup dies, the kernel closes it, psql exits and the server
// rolls the transaction back.
type snapshotHolder struct {
	st   *command.Stream
	in   *os.File // the pipe, open read-write so that opening never blocks
	dir  string   // private directory holding the pipe
	stop func() bool
}

// exportSnapshot starts psql, opens a read-only repeatable-read
// transaction and returns the session and the identifier of its exported
// snapshot. On failure nothing is left running or on disk.
func (s *session) exportSnapshot(ctx context.Context) (*snapshotHolder, string, error) {
	dir, err := os.MkdirTemp("", "kamal-backup-pg-*")
	if err != nil {
		return nil, "", fmt.Errorf("snapshot session: %w", err)
	}
	fifo := filepath.Join(dir, "script")
	h := &snapshotHolder{dir: dir, stop: func() bool { return false }}
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		h.abort()
		return nil, "", fmt.Errorf("snapshot session: create a named pipe: %w", err)
	}
	if h.in, err = os.OpenFile(fifo, os.O_RDWR, 0); err != nil {
		h.abort()
		return nil, "", fmt.Errorf("snapshot session: %w", err)
	}
	h.st, err = command.Start(ctx, s.spec("psql", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-f", fifo))
	if err != nil {
		h.abort()
		return nil, "", toolErr(err)
	}
	h.stop = context.AfterFunc(ctx, func() { h.in.Close() })
	_, err = io.WriteString(h.in, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;\nSELECT pg_export_snapshot();\n")
	var line string
	if err == nil {
		line, err = bufio.NewReader(h.st).ReadString('\n')
	}
	id := strings.TrimSpace(line)
	if err == nil && !snapshotID.MatchString(id) {
		err = fmt.Errorf("unexpected pg_export_snapshot answer %q", id)
	}
	if err != nil {
		h.abort()
		if errors.Is(err, io.EOF) {
			err = errors.New("psql ended without an answer")
		}
		return nil, "", toolErr(err)
	}
	return h, id, nil
}

// end commits the transaction, which releases the snapshot, and waits
// for psql to exit. The result matters to nobody: the snapshot has
// served.
func (h *snapshotHolder) end() {
	h.stop()
	_, _ = io.WriteString(h.in, "COMMIT;\n")
	h.in.Close()
	_, _ = io.Copy(io.Discard, h.st)
	h.abort()
}

// abort stops psql if it still runs (the server then rolls the
// transaction back) and removes the pipe.
func (h *snapshotHolder) abort() {
	h.stop()
	if h.in != nil {
		h.in.Close()
	}
	if h.st != nil {
		_ = h.st.Close()
	}
	os.RemoveAll(h.dir)
}
