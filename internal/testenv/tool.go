package testenv

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// EnvTools is the environment variable naming the folder that holds the
// pinned tool builds. scripts/test sets it to .tools/bin.
const EnvTools = "KAMAL_BACKUP_TOOLS"

// pinned lists the tools built from tools/go.mod, with the version pinned
// there. They are looked up only in $KAMAL_BACKUP_TOOLS.
var pinned = map[string]string{
	"restic":      "0.18.1",
	"rest-server": "0.14.0",
	"versitygw":   "1.8.0",
}

// versioned lists tools that are a specific version of a system binary: the
// path where Debian installs it, the arguments that print its version and a
// prefix that output must start with.
var versioned = map[string]versionedTool{
	"restic-0.14": {path: "/usr/bin/restic", args: []string{"version"}, prefix: "restic 0.14."},
}

type versionedTool struct {
	path   string
	args   []string
	prefix string
}

// Tool returns the absolute path of the named tool, found as the package
// documentation describes. If it is missing, Tool skips the test, or fails it
// when the CI environment variable is "true".
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := defaultFinder().find(name)
	if err != nil {
		fatal, msg := missingMessage(name, err, os.Getenv("CI") == "true")
		if fatal {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return path
}

// Restic returns the path of the pinned restic 0.18.1 build.
func Restic(t testing.TB) string {
	t.Helper()
	return Tool(t, "restic")
}

// Restic014 returns the path of Debian's restic 0.14 binary, the oldest
// restic that must be able to read the repositories kamal-backup writes.
func Restic014(t testing.TB) string {
	t.Helper()
	return Tool(t, "restic-0.14")
}

// missingMessage tells what to report for a tool that was not found and
// whether the test must fail (in CI) rather than be skipped.
func missingMessage(name string, err error, ci bool) (fatal bool, msg string) {
	if ci {
		return true, fmt.Sprintf("testenv: %s is missing in CI: %v; scripts/test installs it", name, err)
	}
	return false, fmt.Sprintf("testenv: %s not found: %v; run scripts/test (or make test) to install it", name, err)
}

// finder holds where tools are searched, so tests can point it elsewhere.
type finder struct {
	toolsDir string   // folder of pinned builds; empty if unset
	sysDirs  []string // searched after PATH
	pgRoot   string   // Debian's /usr/lib/postgresql
}

func defaultFinder() finder {
	return finder{
		toolsDir: os.Getenv(EnvTools),
		sysDirs:  []string{"/usr/local/sbin", "/usr/sbin", "/sbin"},
		pgRoot:   "/usr/lib/postgresql",
	}
}

func (f finder) find(name string) (string, error) {
	if v, ok := pinned[name]; ok {
		if f.toolsDir == "" {
			return "", fmt.Errorf("the pinned %s %s build is looked up in $%s, which is not set", name, v, EnvTools)
		}
		return executable(filepath.Join(f.toolsDir, name))
	}
	if v, ok := versioned[name]; ok {
		return checkVersion(v)
	}
	if f.toolsDir != "" {
		if p, err := executable(filepath.Join(f.toolsDir, name)); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return filepath.Abs(p)
	}
	for _, dir := range f.sysDirs {
		if p, err := executable(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	for _, dir := range postgresBinDirs(f.pgRoot) {
		if p, err := executable(filepath.Join(dir, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("not in PATH, %s or %s/<major>/bin", strings.Join(f.sysDirs, ", "), f.pgRoot)
}

// executable returns the absolute form of path if it is an executable file.
func executable(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s is not an executable file", path)
	}
	return filepath.Abs(path)
}

// postgresBinDirs returns root/<major>/bin for every installed major version,
// newest first.
func postgresBinDirs(root string) []string {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	var majors []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			majors = append(majors, n)
		}
	}
	slices.Sort(majors)
	slices.Reverse(majors)
	dirs := make([]string, 0, len(majors))
	for _, m := range majors {
		dirs = append(dirs, filepath.Join(root, strconv.Itoa(m), "bin"))
	}
	return dirs
}

// versionChecks caches checkVersion per tool for the life of the test binary,
// so the version command runs once however many tests ask.
var versionChecks sync.Map // versionedTool.path+prefix -> func() (string, error)

func checkVersion(v versionedTool) (string, error) {
	once, _ := versionChecks.LoadOrStore(v.path+"\x00"+v.prefix, sync.OnceValues(func() (string, error) {
		p, err := executable(v.path)
		if err != nil {
			return "", err
		}
		out, err := exec.Command(p, v.args...).Output()
		if err != nil {
			return "", fmt.Errorf("%s %s: %w", p, strings.Join(v.args, " "), err)
		}
		out = bytes.TrimSpace(out)
		if !bytes.HasPrefix(out, []byte(v.prefix)) {
			return "", errors.New(p + " is " + string(out) + ", want " + v.prefix + "x")
		}
		return p, nil
	}))
	return once.(func() (string, error))()
}
