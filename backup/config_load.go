package backup

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// LoadOptions tune LoadConfig. The zero value loads the accessory's
// configuration: the main file and the environment, secrets resolved,
// files checked.
type LoadOptions struct {
	// Local loads the configuration for a local restore or drill: the
	// local override file is merged over the main file, paths are the
	// local file's only (restore targets, in the order of the production
	// paths), the state directory defaults to tmp/kamal-backup, and paths
	// and SQLite files need not exist yet.
	Local bool
	// LocalPath is the local override file; empty means
	// kamal-backup.local.yml next to the main file. A missing local file
	// is no error.
	LocalPath string
	// ShapeOnly checks the configuration without the machine it is meant
	// for: secrets (variables, files, commands) are not read and paths
	// and SQLite files are not looked for. For validating on a developer
	// machine a configuration meant for the accessory.
	ShapeOnly bool
	// RunCommand runs a password command ({command: CMD},
	// RESTIC_PASSWORD_COMMAND) and returns its standard output. Nil means
	// "sh -c CMD" with a one-minute timeout, standard error passed through
	// so the command can prompt.
	RunCommand func(command string) (string, error)
}

// LoadConfig loads the kamal-backup configuration at path (usually
// config/kamal-backup.yml) in the grouped shape the Ruby kamal-backup
// documents, merges the local override file over it when opts.Local is
// set, applies the environment variables that override both, resolves
// every secret through lookup (normally os.LookupEnv), files or the
// password command, and validates the result. Every setting, with its
// default, is shown in testdata/examples/all_settings.yml.
//
// Precedence is environment over local file over main file, setting by
// setting; lists (databases, paths, restore_from) are replaced whole.
// Blank variables override nothing. The variables, with the Ruby
// kamal-backup's names:
//
//	APP_NAME, KAMAL_BACKUP_ACCESSORY           app, accessory
//	RESTIC_REPOSITORY, RESTIC_REPOSITORY_FILE  restic.repository(_file)
//	RESTIC_PASSWORD, RESTIC_PASSWORD_FILE,     restic.password; as in restic, a
//	  RESTIC_PASSWORD_COMMAND                    file or command beats RESTIC_PASSWORD
//	RESTIC_REST_USERNAME, RESTIC_REST_PASSWORD restic.rest
//	RESTIC_INIT_IF_MISSING, RESTIC_CHECK_AFTER_BACKUP, RESTIC_FORGET_AFTER_BACKUP,
//	  RESTIC_CHECK_READ_DATA_SUBSET            restic.*
//	RESTIC_KEEP_LAST, _HOURLY, _DAILY, _WEEKLY, _MONTHLY, _YEARLY
//	                                           restic.retention.keep_*
//	BACKUP_SCHEDULE_SECONDS, BACKUP_ENABLED,   backup.schedule, backup.enabled,
//	  BACKUP_START_DELAY_SECONDS                 backup.start_delay
//	KAMAL_BACKUP_STATE_DIR                     state.path
//	KAMAL_BACKUP_ALLOW_SUSPICIOUS_PATHS        allow every suspicious path
//	DATABASE_URL, SQLITE_DATABASE_PATH,        the url, path and password of the only
//	  PGPASSWORD, MYSQL_PWD                      database; with several, the passwords
//	                                             fill in missing ones and the others
//	                                             are ignored with a warning
//	DATABASE_ADAPTER                           with the above, the one database "app"
//	                                             when no file has a databases key
//
// An environment variable that overrides a different value in a file
// adds a warning to Config.Warnings.
//
// An empty path loads from the environment alone, as the Ruby
// kamal-backup's environment-only setup does. A file that cannot be read
// is returned as a plain error. Every problem of the configuration — keys
// that are unknown or no longer supported, values that do not parse,
// everything Validate finds — is returned at once, as *FieldError values
// joined with errors.Join, and the Config is then nil. No error contains a
// secret.
func LoadConfig(path string, lookup func(string) (string, bool), opts LoadOptions) (*Config, error) {
	if lookup == nil {
		lookup = func(string) (string, bool) { return "", false }
	}
	if opts.RunCommand == nil {
		opts.RunCommand = runPasswordCommand
	}
	p := &problems{}
	merged := &layer{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
		merged = decodeFile(path, data, p)
	}
	mainPaths := merged.paths.v
	localPaths := false
	if opts.Local {
		lp := opts.LocalPath
		if lp == "" {
			lp = filepath.Join(filepath.Dir(cmp.Or(path, DefaultConfigPath)), LocalConfigName)
		}
		data, err := os.ReadFile(lp)
		switch {
		case err == nil:
			local := decodeFile(lp, data, p)
			localPaths = local.paths.set
			if !local.databases.set && len(merged.databases.v) > 0 {
				p.warn("databases", "the local file lists none, so local restores use the main file's databases (list the local ones in "+lp+")")
			}
			merged.overlay(local)
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("read local config: %w", err)
		case len(merged.databases.v) > 0:
			p.warn("", "no local file "+lp+": local restores use the main file's databases and no file paths")
		}
	}
	env := envReader{lookup: lookup, p: p}
	envL := envLayer(env)
	var warnings []string
	for _, s := range [][2]setting[source]{{merged.repository, envL.repository}, {merged.password, envL.password},
		{merged.restUsername, envL.restUsername}, {merged.restPassword, envL.restPassword}} {
		warnings = env.overrides(warnings, s[0], s[1])
	}
	merged.overlay(envL)
	warnings = append(warnings, applyDatabaseEnv(merged, env)...)

	r := resolver{lookup: lookup, run: opts.RunCommand, shapeOnly: opts.ShapeOnly}
	cfg := build(merged, r, opts.Local, mainPaths, localPaths)
	cfg.Warnings = append(p.warnings, warnings...)
	cfg.registerSecrets()

	if !p.unreadable {
		p.errs = append(p.errs, withoutRepeats(p, cfg.validate().errs)...)
	}
	if err := p.join(cfg.Redactor()); err != nil {
		return nil, err
	}
	return cfg, nil
}

// withoutRepeats drops the validation problems about a setting that
// decoding already reported a problem with, in itself, in a part of it or
// in the section holding it (a refused secret form is not "missing" as
// well), or that a "did you mean" already points at.
func withoutRepeats(decoded *problems, validated []*FieldError) []*FieldError {
	var out []*FieldError
	for _, v := range validated {
		repeat := slices.Contains(decoded.covered, v.Path)
		for _, d := range decoded.errs {
			if d.Path != "" && (related(d.Path, v.Path) || related(v.Path, d.Path)) {
				repeat = true
			}
		}
		if !repeat {
			out = append(out, v)
		}
	}
	return out
}

// related reports whether setting a is b or a part of b.
func related(a, b string) bool {
	return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(a, b+"[")
}
