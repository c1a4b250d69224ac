package command

import (
	"context"
	"fmt"
	"io"
)

// Run runs the command that spec describes, copies its standard output to
// stdout, and returns its error: nil, an *ExitError, a failure of
// Spec.Stdin, or the failure writing to stdout, after which the command is
// stopped.
func Run(ctx context.Context, spec Spec, stdout io.Writer) error {
	s, err := Start(ctx, spec)
	if err != nil {
		return err
	}
	if _, err := io.Copy(stdout, s); err != nil {
		s.mu.Lock()
		fromRead := err == s.readErr
		s.mu.Unlock()
		s.Close()
		if fromRead {
			return err
		}
		return fmt.Errorf("%s: write output: %w", s.name, err)
	}
	return s.Close()
}

// RunInput runs a command that reads stdin, such as pg_restore or the
// mariadb client, and returns its error as Run does. The command's
// standard output is discarded; its stderr goes to Spec.Stderr. If
// reading stdin fails, the command is killed before it sees the end of
// its input and the error wraps the read failure.
func RunInput(ctx context.Context, spec Spec, stdin io.Reader) error {
	spec.Stdin = stdin
	return Run(ctx, spec, io.Discard)
}
