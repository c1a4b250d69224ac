package main

import (
	"runtime"
	"runtime/debug"
)

// version is set at build time with
// -ldflags "-X main.version=v1.2.3"; empty means the module version from
// the build information, or "dev".
var version string

// programVersion returns the version kamal-backup reports and records in
// snapshots.
func programVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// versionCmd prints the version.
type versionCmd struct{}

// Help is the detailed help of "version".
func (c *versionCmd) Help() string {
	return `Prints "kamal-backup" and its version; with --json restic's version record,
with the Go version, OS and architecture.

Examples:
  kamal-backup version
  kamal-backup version --json

Exit codes: 0 printed; 1 the output could not be written.`
}

// Run prints "kamal-backup <version>", or restic's version JSON line.
func (c *versionCmd) Run(g *Globals) error {
	if g.JSON {
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			Version     string `json:"version"`
			GoVersion   string `json:"go_version"`
			GoOS        string `json:"go_os"`
			GoArch      string `json:"go_arch"`
		}{"version", programVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH})
	}
	_, err := g.stdout.Write([]byte("kamal-backup " + programVersion() + "\n"))
	return err
}
