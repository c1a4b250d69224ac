package location

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rclone"
)

// rcloneEnv are variables passed to rclone even when the process
// environment lacks them, for callers whose env holds more than it.
var rcloneEnv = []string{"HOME", "PATH", "USER", "TMPDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
	"RCLONE_CONFIG", "RCLONE_CONFIG_PASS", "RCLONE_PASSWORD_COMMAND"}

// openRclone opens an "rclone:" location, "rclone:remote:path", by
// running "rclone serve restic --stdio remote:path" (rclone from PATH).
func openRclone(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	remote := strings.TrimPrefix(location, "rclone:")
	if remote == "" {
		return nil, fmt.Errorf("%w: rclone: needs a remote", ErrEmpty)
	}
	be, err := rclone.Open(ctx, remote, rclone.Options{Env: childEnv(env)})
	if err != nil {
		return nil, err
	}
	return be, nil
}

// childEnv returns rclone's environment read through env: every variable
// of the process environment as env sees it (so env may override or hide
// it), plus those of rcloneEnv that only env has. env cannot be
// enumerated, so RCLONE_* variables that only env knows, other than
// those listed, do not reach rclone.
func childEnv(env Lookup) []string {
	var out []string
	seen := map[string]bool{}
	add := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if v, ok := env(name); ok {
			out = append(out, name+"="+v)
		}
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		add(name)
	}
	for _, name := range rcloneEnv {
		add(name)
	}
	return out
}
