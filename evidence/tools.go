package evidence

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// toolTimeout bounds each version command.
const toolTimeout = 10 * time.Second

// toolCommands are the version commands of each tool the Ruby
// kamal-backup reports, by its key in tool_versions; the first that runs
// wins (MariaDB's names first, then MySQL's).
var toolCommands = map[string][][]string{
	"pg_dump":      {{"pg_dump", "--version"}},
	"pg_restore":   {{"pg_restore", "--version"}},
	"mysql_dump":   {{"mariadb-dump", "--version"}, {"mysqldump", "--version"}},
	"mysql_client": {{"mariadb", "--version"}, {"mysql", "--version"}},
	"sqlite3":      {{"sqlite3", "--version"}},
	"rclone":       {{"rclone", "version"}},
}

// DetectToolVersions runs each tool's version command, in parallel, and
// returns the first non-empty line it prints, keyed pg_dump, pg_restore,
// mysql_dump, mysql_client, sqlite3 and rclone. A tool that is missing,
// fails or prints nothing within ten seconds maps to nil. It is the
// default of Options.ToolVersions.
func DetectToolVersions(ctx context.Context) map[string]*string {
	out := make(map[string]*string, len(toolCommands))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for key, cmds := range toolCommands {
		wg.Go(func() {
			v := firstVersion(ctx, cmds)
			mu.Lock()
			out[key] = v
			mu.Unlock()
		})
	}
	wg.Wait()
	return out
}

// StartToolVersions starts DetectToolVersions at once, in the
// background, and returns a function for Options.ToolVersions that
// waits for its result: called before opening and locking the
// repository (a key derivation and a settle delay), it lets the tools
// run meanwhile. The function may be called several times and returns
// the same map; it returns nil if its ctx ends first. Cancelling ctx
// stops the tools.
func StartToolVersions(ctx context.Context) func(context.Context) map[string]*string {
	done := make(chan map[string]*string, 1)
	go func() { done <- DetectToolVersions(ctx) }()
	var mu sync.Mutex
	var got map[string]*string
	return func(wctx context.Context) map[string]*string {
		mu.Lock()
		defer mu.Unlock()
		if got == nil {
			select {
			case got = <-done:
			case <-wctx.Done():
			}
		}
		return got
	}
}

// firstVersion returns the version line of the first of cmds that runs.
func firstVersion(ctx context.Context, cmds [][]string) *string {
	for _, argv := range cmds {
		if v := versionLine(ctx, argv); v != nil {
			return v
		}
	}
	return nil
}

// versionLine runs argv and returns the first non-empty line of its
// standard output; nil when the program is missing, fails or prints
// nothing.
func versionLine(ctx context.Context, argv []string) *string {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	var stdout bytes.Buffer
	cmd := exec.CommandContext(ctx, path, argv[1:]...)
	cmd.Stdout = &stdout
	if err := cmd.Run(); err != nil {
		return nil
	}
	for line := range strings.Lines(stdout.String()) {
		if l := strings.TrimSpace(line); l != "" {
			return &l
		}
	}
	return nil
}
