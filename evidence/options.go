package evidence

import (
	"context"
	"os"
	"runtime/debug"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// DefaultWindow is the backup history window when Options.Window is
// zero: 30 days.
const DefaultWindow = 30 * 24 * time.Hour

// ImageVersionEnv names the variable holding the accessory image's
// version, reported as image_version.
const ImageVersionEnv = "KAMAL_BACKUP_IMAGE_VERSION"

// Options tune Collect. The zero value means defaults.
type Options struct {
	// Now is the clock; nil means time.Now. generated_at is Now in UTC,
	// truncated to the second, and every age is measured from it.
	Now func() time.Time
	// Window is how far back BackupHistory looks; zero means
	// DefaultWindow.
	Window time.Duration
	// ToolVersions returns the tools' versions keyed as
	// DetectToolVersions keys them, nil for a missing tool; nil means
	// DetectToolVersions, which runs the tools.
	ToolVersions func(ctx context.Context) map[string]*string
	// Version is kamal-backup's version, reported as
	// tool_versions.kamal_backup_engine and as image_version when the
	// image's is not set; empty means the module version from the build
	// information, or "dev".
	Version string
	// Env looks up ImageVersionEnv; nil means os.LookupEnv.
	Env func(name string) (string, bool)
	// Redactor cleans every string of the document after the
	// configuration's redactor; nil means a redactor of the secret
	// variables of the process environment (os.Environ). Callers with an
	// environment of their own pass one holding its secrets.
	Redactor *redact.Redactor
}

// withDefaults fills in the defaults of o.
func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.ToolVersions == nil {
		o.ToolVersions = DetectToolVersions
	}
	if o.Version == "" {
		o.Version = buildVersion()
	}
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	if o.Redactor == nil {
		o.Redactor = &redact.Redactor{}
		o.Redactor.AddEnv(os.Environ())
	}
	return o
}

// imageVersion is the image's version, else kamal-backup's.
func imageVersion(opts Options) string {
	if v, ok := opts.Env(ImageVersionEnv); ok && v != "" {
		return v
	}
	return opts.Version
}

// buildVersion is the module version from the build information, or
// "dev".
func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
