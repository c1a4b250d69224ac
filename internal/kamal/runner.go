package kamal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"syscall"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/redact"
)

// ErrSecretArgument is returned by Runner.Exec, before anything runs,
// when an argument holds what looks like a secret: Kamal would print it
// and record it in its audit log on the server.
var ErrSecretArgument = errors.New("an argument looks like a secret, which Kamal would record in its audit log on the server: " +
	"give secrets to the accessory through Kamal secrets instead")

// killGrace is how long kamal has to exit after SIGTERM when the context
// is done.
const killGrace = 5 * time.Second

// Runner runs kamal-backup commands on the accessory of a Checkout. The
// zero value of every field but Checkout is usable: no input, output
// discarded, no redaction beyond the redact package's rules. A Runner
// may run several commands one after the other; it is not safe for
// concurrent use.
type Runner struct {
	// Checkout is the app checkout. Required.
	Checkout *Checkout
	// Stdin is the terminal of interactive commands; other commands get
	// no input.
	Stdin io.Reader
	// Stdout receives the command's standard output.
	Stdout io.Writer
	// Stderr receives kamal's standard error, line by line and redacted
	// (for interactive commands, as it comes).
	Stderr io.Writer
	// Redactor redacts kamal's standard error and refuses arguments that
	// look like secrets; nil applies only the redact package's rules.
	Redactor *redact.Redactor
}

// ExitError is the error of a kamal that did not exit with status 0: the
// remote command failed (Kamal printed why on standard error), or Kamal
// itself did (no SSH connection, no such accessory).
type ExitError struct {
	// Kamal is the executable's display name, as Checkout.KamalName.
	Kamal string
	// Code is the exit status: the remote command's own for interactive
	// commands, 1 for any failure otherwise; -1 when a signal ended kamal.
	Code int
	// Err is why kamal-backup stopped kamal, the context's error; nil
	// when kamal exited by itself.
	Err error
}

// Error returns "bin/kamal exited with status 1", with the reason kamal
// was stopped if it was.
func (e *ExitError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s stopped: %v", e.Kamal, e.Err)
	}
	return fmt.Sprintf("%s exited with status %d", e.Kamal, e.Code)
}

// Unwrap returns Err.
func (e *ExitError) Unwrap() error { return e.Err }

// Exec runs kamal-backup with args on the accessory, as ExecArgs
// describes, and returns nil, ErrSecretArgument, an *ExitError, or the
// failure to start kamal or to write Stdout. Cancelling ctx stops kamal
// (SIGTERM, then SIGKILL after a grace period).
//
// A non-interactive kamal runs in a session of its own without a
// terminal, so it cannot prompt (for an SSH key passphrase: use
// ssh-agent); an interactive one runs in the foreground with Stdin,
// Stdout and Stderr as they are, so that Kamal's "ssh -t" gets the
// terminal.
func (r *Runner) Exec(ctx context.Context, args []string, interactive bool) error {
	if err := r.CheckArgs(args); err != nil {
		return err
	}
	if interactive {
		return r.interactive(ctx, r.Checkout.ExecArgs(args, true))
	}
	return r.capture(ctx, r.Checkout.ExecArgs(args, false), r.stdout())
}

// CheckArgs returns ErrSecretArgument when Redactor would redact a part
// of the command line of args, as Exec does before running anything.
func (r *Runner) CheckArgs(args []string) error {
	if line := Command(args); r.Redactor.Redact(line) != line {
		return ErrSecretArgument
	}
	return nil
}

// capture runs kamal with kamalArgs in the background, copying its
// standard output to stdout and its standard error, line by line, to
// Stderr.
func (r *Runner) capture(ctx context.Context, kamalArgs []string, stdout io.Writer) error {
	stderr := r.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	spec := command.Spec{
		Path:       r.Checkout.Kamal,
		Args:       kamalArgs,
		InheritEnv: true, // SSH_AUTH_SOCK, Ruby's and Bundler's variables, Kamal's secrets
		Dir:        r.Checkout.Root,
		Stderr:     func(line string) { fmt.Fprintln(stderr, line) },
		Redactor:   r.Redactor,
		KillGrace:  killGrace,
	}
	err := command.Run(ctx, spec, stdout)
	var ee *command.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Kamal: r.Checkout.KamalName, Code: ee.Code, Err: ee.Err}
	}
	return err
}

// interactive runs kamal with kamalArgs in the foreground, connected to
// Stdin, Stdout and Stderr.
func (r *Runner) interactive(ctx context.Context, kamalArgs []string) error {
	cmd := exec.CommandContext(ctx, r.Checkout.Kamal, kamalArgs...)
	cmd.Dir = r.Checkout.Root
	cmd.Stdin, cmd.Stdout, cmd.Stderr = r.Stdin, r.stdout(), r.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = killGrace
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		xe := &ExitError{Kamal: r.Checkout.KamalName, Code: ee.ExitCode()}
		if ctx.Err() != nil {
			xe.Err = context.Cause(ctx)
		}
		return xe
	}
	if err != nil && ctx.Err() != nil {
		return &ExitError{Kamal: r.Checkout.KamalName, Code: -1, Err: context.Cause(ctx)}
	}
	return err
}

// stdout returns Stdout, or io.Discard when it is nil.
func (r *Runner) stdout() io.Writer {
	if r.Stdout == nil {
		return io.Discard
	}
	return r.Stdout
}
