package command

import (
	"context"
	"fmt"
	"os"
)

// Start starts the command that spec describes and returns its standard
// output as a Stream. It fails without starting anything if ctx is done,
// Spec is invalid, an argument contains a secret or the program cannot be
// found or started. Cancelling ctx stops the command as Close does, and
// the final Read then returns an *ExitError wrapping the context's error.
func Start(ctx context.Context, spec Spec) (*Stream, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cmd, err := spec.command()
	if err != nil {
		return nil, err
	}
	cmd.SysProcAttr = sysProcAttr()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		stdout.Close()
		return nil, err
	}
	cmd.Stderr = errW
	var in *stdinCopier
	var inR *os.File
	if spec.Stdin != nil {
		if inR, in, err = newStdinCopier(spec.Stdin); err != nil {
			stdout.Close()
			closeAll(errR, errW)
			return nil, err
		}
		cmd.Stdin = inR
	}
	err = cmd.Start()
	closeAll(errW, inR) // the child has its own copies
	if err != nil {
		stdout.Close()
		errR.Close()
		if in != nil {
			in.w.Close()
		}
		return nil, fmt.Errorf("start %s: %w", spec.name(), err)
	}
	s := &Stream{name: spec.name(), cmd: cmd, stdout: stdout, stdin: in,
		stderr: newStderrReader(errR, spec.Stderr, spec.Redactor),
		grace:  spec.KillGrace, exitCh: make(chan struct{})}
	if s.grace <= 0 {
		s.grace = DefaultKillGrace
	}
	go s.stderr.run()
	if in != nil {
		go in.run(func(err error) { s.terminate(err, true) })
	}
	go s.watch(ctx)
	return s, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
}
