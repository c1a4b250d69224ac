package kamal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// VersionArgs are the arguments of the command whose output tells the
// accessory's version.
var VersionArgs = []string{"version", "--json"}

// maxVersionOutput bounds the output read from the version command.
const maxVersionOutput = 1 << 20

// VersionMismatchError is returned by Runner.CheckVersion when the
// accessory runs another kamal-backup version than this one.
type VersionMismatchError struct {
	// Local is this program's version.
	Local string
	// Remote is the accessory's version (the first that differs when the
	// accessory runs on several hosts).
	Remote string
	// Accessory is the accessory's name.
	Accessory string
	// Reboot is the command that reboots the accessory onto its
	// configured image.
	Reboot string
}

// Error explains the refusal and the ways out.
func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("kamal-backup here is %s but the %s accessory runs %s, and commands refuse to run across versions: "+
		"reboot the accessory onto the image of this version (set it in the deploy file, then %s), "+
		"or use kamal-backup %s here; --skip-version-check runs the command anyway",
		e.Local, e.Accessory, e.Remote, e.Reboot, e.Remote)
}

// RemoteVersions runs "kamal-backup version --json" on the accessory and
// returns the version each host reports, in the order printed. It
// understands this program's JSON line, "kamal-backup VERSION" and the
// Ruby kamal-backup's bare version line, and ignores Kamal's own lines
// ("App Host: ..."). It fails when kamal fails or no version is found.
func (r *Runner) RemoteVersions(ctx context.Context) ([]string, error) {
	out := &limitedBuffer{max: maxVersionOutput}
	if err := r.capture(ctx, r.Checkout.ExecArgs(VersionArgs, false), out); err != nil {
		return nil, fmt.Errorf("read the %s accessory's kamal-backup version: %w", r.Checkout.Accessory, err)
	}
	versions := parseVersions(out.String())
	if len(versions) == 0 {
		return nil, fmt.Errorf("read the %s accessory's kamal-backup version: no version in the output of %s %s",
			r.Checkout.Accessory, r.Checkout.KamalName, Quote(Command(VersionArgs)))
	}
	return versions, nil
}

// CheckVersion returns nil when every host of the accessory runs local,
// this program's version, a *VersionMismatchError when one does not, and
// RemoteVersions' error when the version cannot be read. A leading "v"
// is ignored ("v1.2.0" and "1.2.0" match).
func (r *Runner) CheckVersion(ctx context.Context, local string) error {
	versions, err := r.RemoteVersions(ctx)
	if err != nil {
		return err
	}
	return r.Checkout.compareVersions(local, versions)
}

// compareVersions is CheckVersion's comparison.
func (c *Checkout) compareVersions(local string, remote []string) error {
	if len(remote) == 0 {
		return errors.New("no remote version to compare")
	}
	for _, v := range remote {
		if !SameVersion(local, v) {
			return &VersionMismatchError{Local: local, Remote: v, Accessory: c.Accessory, Reboot: c.RebootCommand()}
		}
	}
	return nil
}

// SameVersion reports whether a and b name the same version, ignoring a
// leading "v".
func SameVersion(a, b string) bool {
	return strings.TrimPrefix(a, "v") == strings.TrimPrefix(b, "v")
}

// bareVersion matches the Ruby kamal-backup's "kamal-backup version"
// output: "1.0.0.rc1".
var bareVersion = regexp.MustCompile(`^v?\d+(\.\d+)+([-.+][0-9A-Za-z.-]+)*$`)

// parseVersions returns the versions printed in out, one per line that
// holds one.
func parseVersions(out string) []string {
	var versions []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		var v struct {
			Version string `json:"version"`
		}
		switch {
		case strings.HasPrefix(line, "{"):
			if json.Unmarshal([]byte(line), &v) != nil || v.Version == "" {
				continue
			}
		case strings.HasPrefix(line, RemoteProgram+" "):
			f := strings.Fields(strings.TrimPrefix(line, RemoteProgram+" "))
			if len(f) != 1 {
				continue
			}
			v.Version = f[0]
		case bareVersion.MatchString(line):
			v.Version = line
		default:
			continue
		}
		versions = append(versions, v.Version)
	}
	return versions
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so a runaway output cannot exhaust memory.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

// Write keeps what fits and reports every byte written.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
