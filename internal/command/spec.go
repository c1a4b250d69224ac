package command

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// DefaultKillGrace is how long a command has to exit after SIGTERM before
// it is sent SIGKILL, when Spec.KillGrace is zero.
const DefaultKillGrace = 5 * time.Second

// defaultPath is the PATH a command gets when kamal-backup has none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// baseEnv names the variables a command inherits from kamal-backup's own
// environment when Spec.InheritEnv is false.
var baseEnv = []string{"PATH", "HOME", "LANG", "TZ"}

// Spec describes a command to run. Path is required; the zero value of
// every other field means the default described with it.
type Spec struct {
	// Path is the program: a path, or a name looked up in the PATH of the
	// command's environment (so that Env can choose the directory, such
	// as /usr/lib/postgresql/15/bin). Relative directories in PATH are
	// ignored.
	Path string
	// Args are the arguments after the program name. They must not
	// contain secrets: Start fails when Redactor would redact one.
	Args []string
	// Env holds NAME=value entries added to the command's environment,
	// which otherwise holds only PATH, HOME, LANG and TZ from
	// kamal-backup's environment (PATH defaults to a standard one). Pass
	// passwords here (PGPASSWORD, MYSQL_PWD), never in Args. Later entries
	// win.
	Env []string
	// InheritEnv passes kamal-backup's whole environment, instead of the
	// four variables above, before Env.
	InheritEnv bool
	// Dir is the working directory; empty means kamal-backup's.
	Dir string
	// Stdin is the command's standard input; nil means /dev/null. If
	// reading it fails, the command is killed before it can see the end
	// of its input, and the failure is the command's error. The command's
	// end waits for the copy from Stdin to stop, as os/exec does, so Stdin
	// must return from Read once the context is done.
	Stdin io.Reader
	// Stderr, if set, is called with each line the command writes to its
	// standard error, without the line ending and redacted by Redactor.
	// It is called from one goroutine, one line at a time. Lines longer
	// than 64 KiB arrive in pieces.
	Stderr func(line string)
	// Redactor redacts stderr lines and guards Args; nil still removes URL
	// passwords and secret-looking keys' values.
	Redactor *redact.Redactor
	// KillGrace is how long the command has to exit after SIGTERM before
	// SIGKILL; zero means DefaultKillGrace.
	KillGrace time.Duration
}

// name returns the program name for messages: the last element of Path.
func (s *Spec) name() string { return filepath.Base(s.Path) }

// command validates s and returns the exec.Cmd to start.
func (s *Spec) command() (*exec.Cmd, error) {
	if s.Path == "" {
		return nil, fmt.Errorf("command: empty Path")
	}
	for i, a := range s.Args {
		if s.Redactor.Redact(a) != a {
			return nil, fmt.Errorf("%s: argument %d contains a secret: pass it in the environment (Spec.Env), not on the command line", s.name(), i+1)
		}
	}
	env, err := s.environ()
	if err != nil {
		return nil, err
	}
	path, err := lookPath(s.Path, lookup(env, "PATH"))
	if err != nil {
		return nil, err
	}
	return &exec.Cmd{Path: path, Args: append([]string{s.Path}, s.Args...), Env: env, Dir: s.Dir}, nil
}

// environ returns the command's environment without duplicate names.
func (s *Spec) environ() ([]string, error) {
	var env []string
	if s.InheritEnv {
		env = os.Environ()
	} else {
		for _, name := range baseEnv {
			if v, ok := os.LookupEnv(name); ok {
				env = append(env, name+"="+v)
			}
		}
	}
	for i, kv := range s.Env {
		if name, _, ok := strings.Cut(kv, "="); !ok || name == "" {
			// Do not print the entry: it may be a bare secret.
			return nil, fmt.Errorf("%s: Env[%d] is not NAME=value", s.name(), i)
		}
	}
	env = append(env, s.Env...)
	if lookup(env, "PATH") == "" {
		env = append(env, "PATH="+defaultPath)
	}
	out := make([]string, 0, len(env))
	seen := make(map[string]int, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if i, ok := seen[name]; ok {
			out[i] = kv
			continue
		}
		seen[name] = len(out)
		out = append(out, kv)
	}
	return out, nil
}

// lookup returns the value of the last entry named name in env.
func lookup(env []string, name string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if v, ok := strings.CutPrefix(env[i], name+"="); ok {
			return v
		}
	}
	return ""
}

// lookPath finds an executable named file in the absolute directories of
// path; a file containing a slash is returned as it is.
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	for _, dir := range filepath.SplitList(path) {
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, file)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w in PATH %s", file, exec.ErrNotFound, path)
}
