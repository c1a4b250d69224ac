// Command kamal-backup reads and writes restic-format backup repositories.
// Run "kamal-backup --help" for the commands and exit codes.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// Exit codes, as restic uses them; documented in the --help text.
const (
	exitOK            = 0
	exitError         = 1
	exitIncomplete    = 3
	exitNoRepository  = 10
	exitLocked        = 11
	exitWrongPassword = 12
)

// exitSignal is the panic value of kong's Exit hook, so that --help
// returns from run instead of ending the process.
type exitSignal struct{ code int }

func main() {
	repo.ProgramVersion = "kamal-backup " + programVersion()
	if _, ok := os.LookupEnv("GOGC"); !ok {
		// Backups hold a few large buffers (packs of 16 MiB); a tighter GC
		// target keeps peak memory near restic's for little CPU.
		debug.SetGCPercent(50)
	}
	// restic's unlock probes a lock holder on this host with SIGHUP; like
	// restic itself we ignore it so a probe never kills a running backup.
	signal.Ignore(syscall.SIGHUP)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the testable entry point: it parses args, runs the command and
// returns the exit status. env looks up environment variables; nothing
// is read from the process environment or printed outside the given
// streams.
func run(ctx context.Context, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) (code int) {
	// A shell asking for completions (see completionCmd) is answered here,
	// before the Kamal bridge could forward anything.
	if line, ok := env("COMP_LINE"); ok && line != "" {
		return completeLine(line, env, stdout, stderr)
	}
	// From an app checkout (config/deploy.yml), the commands that belong on
	// the server run in the accessory through Kamal.
	if handled, code := bridge(ctx, args, env, stdin, stdout, stderr); handled {
		return code
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	defer out.Flush()
	red := &cli.Redactor{}
	addEnvSecrets(red, env)
	errw := red.Writer(stderr)
	defer errw.Close()

	var root CLI
	terminal := isTerminal(stderr)
	root.Globals = Globals{stdin: stdin, stdout: out, lookup: env,
		redact: red, terminal: terminal, log: newLogger(errw, terminal, false)}
	parser, err := newParser(&root, env, out, errw)
	if err != nil {
		fmt.Fprintf(errw, "Fatal: %v\n", err)
		return exitError
	}
	defer func() {
		if v := recover(); v != nil {
			sig, ok := v.(exitSignal)
			if !ok {
				panic(v)
			}
			code = sig.code
		}
	}()
	// The image's ENTRYPOINT is `tini -- kamal-backup`, and `kamal accessory
	// exec` (and Ruby-era `cmd: kamal-backup schedule`) pass "kamal-backup
	// ..." as arguments; it is never a command of its own, so drop it.
	if len(args) > 0 && args[0] == "kamal-backup" {
		args = args[1:]
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		writeFatal(&root.Globals, errw, fmt.Errorf("%w (see --help)", err), exitError)
		return exitError
	}
	root.Globals.log = newLogger(errw, terminal, root.Quiet)
	kctx.BindTo(ctx, (*context.Context)(nil))
	err = kctx.Run(&root.Globals)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	code = exitCode(err)
	if err != nil {
		writeFatal(&root.Globals, errw, err, code)
	}
	return code
}

// exitCode maps the error a command returned to the process exit status.
func exitCode(err error) int {
	var incomplete *incompleteError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, repo.ErrNoRepository):
		return exitNoRepository
	case errors.Is(err, repo.ErrLocked):
		return exitLocked
	case errors.Is(err, repo.ErrWrongPassword):
		return exitWrongPassword
	case errors.As(err, &incomplete):
		return exitIncomplete
	}
	return exitError
}

// writeFatal prints the error that ends the program: restic's exit_error
// JSON line with --json, a "Fatal:" line on a terminal, otherwise a log
// record.
func writeFatal(g *Globals, w io.Writer, err error, code int) {
	msg := err.Error()
	switch {
	case g.JSON:
		writeJSON(w, struct {
			MessageType string `json:"message_type"`
			Code        int    `json:"code"`
			Message     string `json:"message"`
		}{"exit_error", code, msg})
	case g.terminal:
		fmt.Fprintf(w, "Fatal: %s\n", msg)
	default:
		g.log.Error(msg, "exit_code", code)
	}
}
