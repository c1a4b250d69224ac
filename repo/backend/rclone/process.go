package rclone

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// ErrExited is wrapped by the errors of operations after the rclone child
// process has exited. It is permanent.
var ErrExited = errors.New("rclone exited")

// stderrLines is how many of rclone's last lines of standard error are
// kept for error messages.
const stderrLines = 10

// process is the running "rclone serve restic --stdio" child.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout io.ReadCloser
	exited chan struct{} // closed once the child has exited and its stderr is read
	err    error         // why it exited, wrapping ErrExited; set before exited closes

	mu    sync.Mutex
	lines []string // the last stderrLines lines of stderr, redacted
}

// start runs program with args in env. Its standard error goes to log,
// redacted by red, and the last lines are kept.
func start(program string, args, env []string, red *redact.Redactor, log *slog.Logger) (*process, error) {
	cmd := exec.Command(program, args...)
	cmd.Env = env
	setProcAttr(cmd)
	p := &process{cmd: cmd, exited: make(chan struct{})}
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if p.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %v", program, err)
	}
	go func() {
		p.readStderr(stderr, red, log)
		err := cmd.Wait()
		p.err = fmt.Errorf("%w (%v)%s", ErrExited, exitStatus(err), p.lastLines())
		close(p.exited)
	}()
	return p, nil
}

// readStderr logs each line of r and keeps the last ones.
func (p *process) readStderr(r io.Reader, red *redact.Redactor, log *slog.Logger) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64<<10)
	for sc.Scan() {
		line := red.Redact(sc.Text())
		if log != nil {
			log.Warn("rclone: " + line)
		}
		p.mu.Lock()
		p.lines = append(p.lines, line)
		if len(p.lines) > stderrLines {
			p.lines = p.lines[1:]
		}
		p.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r) // an over-long line: keep the pipe drained
}

// lastLines returns ": " and the kept lines joined by " | ", or "".
func (p *process) lastLines() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.lines) == 0 {
		return ""
	}
	return ": " + strings.Join(p.lines, " | ")
}

// exitErr returns why the child exited, or nil while it runs.
func (p *process) exitErr() error {
	select {
	case <-p.exited:
		return p.err
	default:
		return nil
	}
}

// stop closes the child's input, which makes rclone exit, and kills it if
// it has not exited within timeout. It waits for the exit.
func (p *process) stop(timeout time.Duration) {
	_ = p.stdin.Close()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.exited:
	case <-t.C:
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// exitStatus describes how a child ended.
func exitStatus(err error) string {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return "exit status 0"
	case errors.As(err, &ee):
		return ee.ProcessState.String()
	}
	return err.Error()
}
