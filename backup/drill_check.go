package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kamal-backup/kamal-backup/internal/command"
	"github.com/kamal-backup/kamal-backup/redact"
)

// CheckOutputLimit is how much of a check command's output a drill
// record keeps: the last 64 KiB, where failures are reported.
const CheckOutputLimit = 64 << 10

// runCheck runs a drill's check command with /bin/sh -c, so that it is
// written as in a shell and as the Ruby kamal-backup ran it (quotes,
// pipes, &&, variables), in kamal-backup's working directory with its
// whole environment plus the drill's targets:
//
//	KAMAL_BACKUP_DRILL_FILES            the scratch files directory (or the
//	                                    first restored path)
//	KAMAL_BACKUP_DRILL_DATABASE_<NAME>  each restored database's URL
//	                                    (credentials included) or file;
//	                                    NAME upper-cased, other characters
//	                                    than letters and digits as "_"
//
// Standard output and standard error are captured together, redacted
// (the configurations' secrets, secret-looking variables of the
// environment and the URLs' passwords) and cut to their last
// CheckOutputLimit bytes. A non-zero exit, a signal or a command that
// cannot start is a failed check; its error says which, with the exit
// status, which is also the check's ExitCode when the command exited by
// itself.
func (r *Restorer) runCheck(ctx context.Context, j *job, cmdline string) (*DrillCheck, error) {
	env := drillEnv(j)
	reds := r.checkRedactors(j, env)
	redactAll := func(s string) string {
		for _, rd := range reds {
			s = rd.Redact(s)
		}
		return s
	}
	chk := &DrillCheck{Command: redactAll(cmdline)}
	sink := &tailBuffer{max: CheckOutputLimit}
	var w io.Writer = sink
	var lines []*redact.LineWriter
	for _, rd := range reds {
		lw := rd.Writer(w)
		lines = append(lines, lw)
		w = lw
	}
	spec := command.Spec{
		Path: "/bin/sh", Args: []string{"-c", cmdline}, InheritEnv: true, Env: env,
		Stderr:   func(line string) { _, _ = io.WriteString(w, line+"\n") },
		Redactor: j.cfg.Redactor(),
	}
	err := command.Run(ctx, spec, w)
	for i := len(lines) - 1; i >= 0; i-- {
		_ = lines[i].Flush()
	}
	out := redactAll(sink.String())
	chk.Output = &out
	chk.Status = StatusOK
	chk.ExitCode = exitCode(err)
	if err != nil {
		msg := redactAll(err.Error())
		chk.Status, chk.Error = StatusFailed, &msg
		return chk, fmt.Errorf("%w: %s", ErrCheckFailed, msg)
	}
	return chk, nil
}

// exitCode is the exit status of a command that ended with err: 0 for
// nil, the status of an *command.ExitError the command exited with by
// itself, and nil when it did not exit on its own (it could not start,
// a signal ended it, or kamal-backup stopped it).
func exitCode(err error) *int {
	code := 0
	if err != nil {
		var ee *command.ExitError
		if !errors.As(err, &ee) || ee.Err != nil || ee.Code < 0 {
			return nil
		}
		code = ee.Code
	}
	return &code
}

// drillEnv is the environment a check command gets on top of
// kamal-backup's.
func drillEnv(j *job) []string {
	var env []string
	if len(j.files) > 0 {
		env = append(env, "KAMAL_BACKUP_DRILL_FILES="+absClean(j.files[0].target))
	}
	for _, t := range j.dbs {
		v := t.db.URL.Reveal()
		if t.db.Path != "" {
			v = absClean(t.db.Path)
		}
		env = append(env, "KAMAL_BACKUP_DRILL_DATABASE_"+envName(t.db.Name)+"="+v)
	}
	return env
}

// envName upper-cases name and turns every other character than letters
// and digits into "_".
func envName(name string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z':
			return c - 'a' + 'A'
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			return c
		}
		return '_'
	}, name)
}

// checkRedactors are the redactors a check's output passes: the
// configurations' and one for the environment the command sees and the
// targets' credentials.
func (r *Restorer) checkRedactors(j *job, env []string) []*redact.Redactor {
	er := &redact.Redactor{}
	er.AddEnv(os.Environ())
	er.AddEnv(env)
	for _, t := range j.dbs {
		er.Add(t.db.Password.Reveal())
		er.AddEnv(append([]string{"URL=" + t.db.URL.Reveal()}, t.db.Env...))
	}
	reds := []*redact.Redactor{r.prod.Redactor()}
	if j.cfg != r.prod {
		reds = append(reds, j.cfg.Redactor())
	}
	return append(reds, er)
}

// tailBuffer keeps the last max bytes written to it, using at most twice
// that. It is safe for concurrent use.
type tailBuffer struct {
	max     int
	mu      sync.Mutex
	buf     []byte
	dropped int
}

// Write implements io.Writer.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 2*b.max {
		n := len(b.buf) - b.max
		b.dropped += n
		b.buf = append([]byte(nil), b.buf[n:]...)
	}
	return len(p), nil
}

// String returns the kept output, starting on a character boundary, with
// a note of how much was dropped before it.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	data, dropped := b.buf, b.dropped
	if len(data) > b.max {
		dropped += len(data) - b.max
		data = data[len(data)-b.max:]
	}
	for len(data) > 0 && !utf8.RuneStart(data[0]) {
		data, dropped = data[1:], dropped+1
	}
	if dropped == 0 {
		return string(data)
	}
	return fmt.Sprintf("[%d bytes of earlier output dropped]\n%s", dropped, data)
}
