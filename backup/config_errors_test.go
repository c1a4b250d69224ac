package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// validBase is a valid configuration with baseEnv; cases change it.
const validBase = `
app: shop
databases:
  - name: app
    adapter: postgres
    url: postgres://shop@db:5432/shop
    password: {secret: DB_PASSWORD}
restic:
  repository: /srv/repo
  password: {secret: RESTIC_PASSWORD}
`

// baseEnv holds the secrets validBase names.
func baseEnv() fakeEnv {
	return fakeEnv{"DB_PASSWORD": "db-password-1", "RESTIC_PASSWORD": "restic-password-1"}
}

// errorCase is a configuration and the exact problems LoadConfig reports,
// {file} standing for the main file's path and {dir} for its directory's
// parent.
type errorCase struct {
	name  string
	yaml  string
	local string
	env   map[string]string // added to baseEnv; "" values unset it
	opts  LoadOptions
	want  []string
}

var errorCases = []errorCase{
	{
		name: "unknown nested key",
		yaml: validBase + "  retention:\n    keep_dialy: 7\n",
		want: []string{"{file}: restic.retention.keep_dialy: unknown key (did you mean keep_daily?)"},
	},
	{
		name: "unknown top-level key",
		yaml: validBase + "frobnicate: 1\n",
		want: []string{"{file}: frobnicate: unknown key (known keys: app, accessory, databases, paths, restore_from, restic, backup, state, evidence, notify)"},
	},
	{
		name: "key at the wrong level",
		yaml: validBase + "schedule: 1d\n",
		want: []string{"{file}: schedule: unknown key (did you mean backup.schedule?)"},
	},
	{
		name: "retention key directly under restic",
		yaml: validBase + "  keep_daily: 7\n",
		want: []string{"{file}: restic.keep_daily: unknown key (did you mean restic.retention.keep_daily?)"},
	},
	{
		name: "typo in a database",
		yaml: strings.Replace(validBase, "adapter: postgres", "adaptor: postgres", 1),
		want: []string{"{file}: databases[0].adaptor: unknown key (did you mean adapter?)"},
	},
	{
		name: "typo in a path entry",
		yaml: validBase + "paths:\n  - path: /srv\n    excludes: [a]\n",
		want: []string{"{file}: paths[0].excludes: unknown key (did you mean exclude?)"},
	},
	{
		name: "legacy keys",
		yaml: "database_adapter: postgres\nbackup_paths: [/data]\nrestic_repository: /srv/repo\n" + strings.TrimPrefix(validBase, "\n"),
		want: []string{
			"{file}: database_adapter is no longer supported: write databases: [{name: app, adapter: postgres, url: ...}]",
			"{file}: backup_paths is no longer supported: write paths: [/data/storage]",
			"{file}: restic_repository is no longer supported: write restic: {repository: ...} (or repository: {secret: RESTIC_REPOSITORY})",
		},
	},
	{
		name: "missing app",
		yaml: strings.Replace(validBase, "app: shop\n", "", 1),
		want: []string{"app: missing (write app: NAME, the app name used in snapshot tags)"},
	},
	{
		name: "no databases",
		yaml: "app: shop\nrestic:\n  repository: /srv/repo\n  password: {secret: RESTIC_PASSWORD}\n",
		want: []string{"databases: none configured (write databases: [{name: app, adapter: postgres, url: ...}])"},
	},
	{
		name: "empty database list ignores DATABASE_URL",
		yaml: "app: shop\ndatabases: []\nrestic:\n  repository: /srv/repo\n  password: {secret: RESTIC_PASSWORD}\n",
		env:  map[string]string{"DATABASE_URL": "postgres://app@db/app"},
		want: []string{"databases: none configured (write databases: [{name: app, adapter: postgres, url: ...}])"},
	},
	{
		name: "unknown adapter",
		yaml: strings.Replace(validBase, "adapter: postgres", "adapter: oracle", 1),
		want: []string{`databases[0].adapter: unknown adapter "oracle" (write postgres, mysql or sqlite)`},
	},
	{
		name: "missing adapter and name",
		yaml: strings.Replace(strings.Replace(validBase, "    adapter: postgres\n", "", 1), "  - name: app\n    url", "  - url", 1),
		want: []string{
			"databases[0].name: missing (write name: app; each database needs a unique name)",
			"databases[0].adapter: missing (write adapter: postgres, mysql or sqlite)",
		},
	},
	{
		name: "duplicate database names",
		yaml: validBase + "databases:\n  - {name: app, adapter: postgres, url: postgres://db/a}\n  - {name: app, adapter: mysql, url: mysql2://db/b}\n",
		want: []string{"{file}: databases: appears twice (keep one)"},
	},
	{
		name: "duplicate database names in one list",
		yaml: "app: shop\ndatabases:\n  - {name: app, adapter: postgres, url: postgres://db/a}\n  - {name: app, adapter: mysql, url: mysql2://db/b}\nrestic: {repository: /srv/repo, password: {secret: RESTIC_PASSWORD}}\n",
		want: []string{`databases[1].name: "app" is also the name of databases[0] (each database needs a unique name)`},
	},
	{
		name: "empty secret",
		yaml: validBase,
		env:  map[string]string{"DB_PASSWORD": ""},
		want: []string{"databases[0].password: environment variable DB_PASSWORD is empty or unset"},
	},
	{
		name: "a value where the variable's name belongs",
		yaml: strings.Replace(validBase, "{secret: DB_PASSWORD}", "{secret: hunter2hunter2}", 1),
		want: []string{"databases[0].password: environment variable [REDACTED] is empty or unset (write the variable's name, not its value)"},
	},
	{
		name: "blank secret",
		yaml: validBase,
		env:  map[string]string{"DB_PASSWORD": " \n"},
		want: []string{"databases[0].password: environment variable DB_PASSWORD is empty or unset"},
	},
	{
		name: "unset restic password variable",
		yaml: validBase,
		env:  map[string]string{"RESTIC_PASSWORD": ""},
		want: []string{"restic.password: environment variable RESTIC_PASSWORD is empty or unset"},
	},
	{
		name: "missing secret file",
		yaml: strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: {file: {dir}/nope}", 1),
		env:  map[string]string{"RESTIC_PASSWORD": ""},
		want: []string{"restic.password: cannot read file {dir}/nope: no such file or directory"},
	},
	{
		name:  "empty secret file",
		yaml:  strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: {file: {dir}/config/kamal-backup.local.yml}", 1),
		local: "\n\n",
		env:   map[string]string{"RESTIC_PASSWORD": ""},
		want:  []string{"restic.password: file {dir}/config/kamal-backup.local.yml is empty"},
	},
	{
		name: "password command not allowed for a database",
		yaml: strings.Replace(validBase, "password: {secret: DB_PASSWORD}", "password: {command: pass show db}", 1),
		want: []string{"{file}: databases[0].password.command: not supported here (write password: {secret: ENV_NAME} or password: {file: PATH})"},
	},
	{
		name: "two secret forms",
		yaml: strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: {secret: RESTIC_PASSWORD, file: /x}", 1),
		want: []string{"{file}: restic.password: write only one of secret, file"},
	},
	{
		name: "typo in a secret reference",
		yaml: strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: {secrt: RESTIC_PASSWORD}", 1),
		want: []string{"{file}: restic.password.secrt: unknown key (did you mean secret?)"},
	},
	{
		name: "empty secret reference",
		yaml: strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: {secret: }", 1),
		want: []string{"{file}: restic.password.secret: empty (write password: {secret: ENV_NAME}, {file: PATH} or {command: CMD})"},
	},
	{
		name: "sqlite file missing",
		yaml: strings.Replace(validBase, "restic:", "  - {name: cache, adapter: sqlite3, path: {dir}/missing.sqlite3}\nrestic:", 1),
		want: []string{"databases[1].path: SQLite database {dir}/missing.sqlite3 does not exist (mount it into the accessory or fix the path)"},
	},
	{
		name: "sqlite path is a directory",
		yaml: strings.Replace(validBase, "restic:", "  - {name: cache, adapter: sqlite, database: {dir}}\nrestic:", 1),
		want: []string{"databases[1].database: {dir} is a directory, not a SQLite database file"},
	},
	{
		name: "sqlite without path, with url and password",
		yaml: strings.Replace(validBase, "restic:", "  - {name: cache, adapter: sqlite, url: sqlite3://x, password: {secret: DB_PASSWORD}}\nrestic:", 1),
		want: []string{
			"databases[1].url: sqlite databases have no url (write path: /path/to/production.sqlite3)",
			"databases[1].password: sqlite databases have no password (remove it)",
			"databases[1].path: missing (write path: /data/storage/production.sqlite3, the database file as mounted in the accessory)",
		},
	},
	{
		name: "postgres with a path and no url",
		yaml: strings.Replace(validBase, "url: postgres://shop@db:5432/shop", "path: /db.sqlite3", 1),
		want: []string{
			"databases[0].path: only sqlite databases have a path (write url: ... for a postgres database)",
			"databases[0].url: missing (write url: postgres://user@host:5432/dbname or url: {secret: DATABASE_URL})",
		},
	},
	{
		name: "url scheme does not match the adapter",
		yaml: strings.Replace(validBase, "postgres://shop", "mysql2://shop", 1),
		want: []string{"databases[0].url: scheme mysql2 does not match adapter postgres (write a postgres:// or postgresql:// URL, or change the adapter)"},
	},
	{
		name: "DATABASE_URL scheme does not match the adapter",
		yaml: validBase,
		env:  map[string]string{"DATABASE_URL": "mariadb://u:pw-in-url@db/shop"},
		want: []string{"DATABASE_URL: scheme mariadb does not match adapter postgres (write a postgres:// or postgresql:// URL, or change the adapter)"},
	},
	{
		name: "url without scheme",
		yaml: strings.Replace(validBase, "postgres://shop@db:5432/shop", "shop@db:5432/shop", 1),
		want: []string{"databases[0].url: not a URL (write postgres://user@host/dbname)"},
	},
	{
		name: "missing repository and password",
		yaml: "app: shop\ndatabases: [{name: app, adapter: postgres, url: postgres://db/shop}]\n",
		env:  map[string]string{"RESTIC_PASSWORD": ""},
		want: []string{
			"restic.repository: missing (write repository: s3:https://host/bucket, repository: {secret: RESTIC_REPOSITORY} or repository_file: PATH, or set RESTIC_REPOSITORY)",
			"restic.password: missing (write password: {secret: RESTIC_PASSWORD}, {file: PATH} or {command: CMD}, or set RESTIC_PASSWORD)",
		},
	},
	{
		name: "suspicious paths",
		yaml: validBase + "paths: [/, /proc, /var/, {path: /etc, exclude: [x]}, /var/lib/kamal-backup/sub]\n",
		want: []string{
			"paths[0]: / is a suspicious backup path (back up the mounted volume instead, or write {path: /, allow_suspicious: true})",
			"paths[1]: /proc is a suspicious backup path (back up the mounted volume instead, or write {path: /proc, allow_suspicious: true})",
			"paths[2]: /var is a suspicious backup path (back up the mounted volume instead, or write {path: /var/, allow_suspicious: true})",
			"paths[3]: /etc is a suspicious backup path (back up the mounted volume instead, or write {path: /etc, allow_suspicious: true})",
			"paths[4]: /var/lib/kamal-backup/sub is inside the state directory /var/lib/kamal-backup (remove it from paths)",
		},
	},
	{
		name: "state directory as a path",
		yaml: validBase + "state: {path: {dir}/state}\npaths: [{dir}/state]\n",
		want: []string{"paths[0]: {dir}/state is inside the state directory {dir}/state (remove it from paths)"},
	},
	{
		name: "allowed suspicious path",
		yaml: validBase + "paths: [{path: /etc, allow_suspicious: true}]\n",
	},
	{
		name: "suspicious paths allowed by the environment",
		yaml: validBase + "paths: [/etc, /usr]\n",
		env:  map[string]string{"KAMAL_BACKUP_ALLOW_SUSPICIOUS_PATHS": "true"},
	},
	{
		name: "missing path",
		yaml: validBase + "paths: [{dir}/nope]\n",
		want: []string{"paths[0]: {dir}/nope does not exist (mount the volume into the accessory or remove the path)"},
	},
	{
		name: "empty path and exclude",
		yaml: validBase + "paths:\n  - ''\n  - {path: {dir}, exclude: ['']}\n  - {exclude: [x]}\n  - {path: {dir}, exclude: x}\n",
		want: []string{
			"{file}: paths[0]: empty path (remove it or write one)",
			"{file}: paths[1].exclude[0]: empty pattern (remove it or write one)",
			"{file}: paths[2].path: missing (write path: /data/storage)",
			"{file}: paths[3].exclude: must be a list (write [PATTERN, ...])",
		},
	},
	{
		name: "schedule that does not parse",
		yaml: validBase + "backup: {schedule: daily, start_delay: soon, enabled: maybe}\n",
		want: []string{
			`{file}: backup.schedule: "daily" is not an interval: write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d`,
			`{file}: backup.start_delay: "soon" is not an interval: write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d`,
			`{file}: backup.enabled: "maybe" is not a boolean (write true or false)`,
		},
	},
	{
		name: "zero schedule",
		yaml: validBase + "backup: {schedule: 0}\n",
		want: []string{`{file}: backup.schedule: "0" is zero: write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d`},
	},
	{
		name: "schedule from the environment",
		yaml: validBase,
		env:  map[string]string{"BACKUP_SCHEDULE_SECONDS": "1.5h", "BACKUP_ENABLED": "sometimes"},
		want: []string{
			`BACKUP_SCHEDULE_SECONDS: "1.5h" is not an interval: write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d`,
			`BACKUP_ENABLED: "sometimes" is not a boolean (write true or false)`,
		},
	},
	{
		name: "retention values",
		yaml: validBase + "  retention: {keep_last: -1, keep_daily: seven, keep_within: 2 weeks}\n  forget_after_backup: perhaps\n",
		want: []string{
			"{file}: restic.retention.keep_last: -1 is negative (write a count such as 7, or 0 to turn the rule off)",
			`{file}: restic.retention.keep_daily: "seven" is not a whole number (write a count such as 7, or 0 to turn the rule off)`,
			`{file}: restic.retention.keep_within: "2 weeks" is not a duration (write a number with y, m, d or h, such as 30d or 1y6m)`,
			`{file}: restic.forget_after_backup: "perhaps" is not a boolean (write true or false)`,
		},
	},
	{
		name: "retention from the environment",
		yaml: validBase,
		env:  map[string]string{"RESTIC_KEEP_WEEKLY": "many"},
		want: []string{`RESTIC_KEEP_WEEKLY: "many" is not a whole number (write a count such as 7, or 0 to turn the rule off)`},
	},
	{
		name: "read-data subset",
		yaml: validBase + "  check_read_data_subset: 5 percent\n",
		want: []string{`restic.check_read_data_subset: "5 percent" is not a read-data subset (write a percentage such as 5%, a group such as 1/7, or a size such as 500M)`},
	},
	{
		name: "wrong shapes",
		yaml: "app: [shop]\ndatabases: {name: app}\nrestic: /srv/repo\nbackup: daily\nstate: {path: [a, b]}\n",
		want: []string{
			"{file}: app: must be a single value, not a list",
			"{file}: databases: must be a list (write databases: [{name: app, adapter: postgres, url: ...}])",
			"{file}: restic: must be a mapping of repository, repository_file, password, rest, init_if_missing, check_after_backup, check_read_data_subset, forget_after_backup, retention, not a single value",
			"{file}: backup: must be a mapping of schedule, enabled, start_delay, not a single value",
			"{file}: state.path: must be a single value, not a list",
		},
	},
	{
		name: "repeated key",
		yaml: validBase + "app: other\n",
		want: []string{"{file}: app: appears twice (keep one)"},
	},
	{
		name: "invalid YAML",
		yaml: "app: shop\n  databases: [\n",
		want: []string{"{file}: invalid YAML: line 2: mapping values are not allowed in this context"},
	},
	{
		name: "not a mapping",
		yaml: "- app\n",
		want: []string{
			"{file}: must be a YAML mapping of settings (app, databases, paths, restic, backup, ...)",
		},
	},
	{
		name: "aliases",
		yaml: validBase + "backup: &b {schedule: 1d}\nstate: *b\n",
		want: []string{
			"{file}: backup: YAML anchors and aliases are not supported; write the value out",
			"{file}: state: YAML anchors and aliases are not supported; write the value out",
		},
	},
	{
		name: "password file and command in the environment",
		yaml: validBase,
		env:  map[string]string{"RESTIC_PASSWORD_FILE": "/run/pw", "RESTIC_PASSWORD_COMMAND": "pass show x"},
		want: []string{"RESTIC_PASSWORD_COMMAND: set together with RESTIC_PASSWORD_FILE (unset one of them)"},
	},
	{
		name:  "local paths do not match the restore sources",
		yaml:  validBase + "paths: [/data/a, /data/b]\n",
		local: "paths: [storage]\n",
		opts:  LoadOptions{Local: true},
		want:  []string{"paths: 1 local paths for 2 restore sources (list the local targets in the same order as the production paths, or set restore_from)"},
	},
	{
		name:  "problems in both files at once",
		yaml:  validBase + "backup: {schedul: 1d}\n",
		local: "state: {pth: tmp}\n",
		opts:  LoadOptions{Local: true},
		want: []string{
			"{file}: backup.schedul: unknown key (did you mean schedule?)",
			"{dir}/config/kamal-backup.local.yml: state.pth: unknown key (did you mean path?)",
		},
	},
	{
		name: "many problems at once",
		env:  map[string]string{"RESTIC_PASSWORD": ""},
		yaml: "accessory: backup\ndatabases:\n  - {name: app, adapter: oracle}\n  - {name: app, adapter: sqlite, path: {dir}/none.sqlite3}\nrestic:\n  password: {secret: NOPE}\npaths: [/]\nbackup: {schedule: 1x}\n",
		want: []string{
			`{file}: backup.schedule: "1x" is not an interval: write seconds or a whole number with s, m, h, d or w, such as 30m, 6h or 1d`,
			"app: missing (write app: NAME, the app name used in snapshot tags)",
			`databases[0].adapter: unknown adapter "oracle" (write postgres, mysql or sqlite)`,
			`databases[1].name: "app" is also the name of databases[0] (each database needs a unique name)`,
			"databases[1].path: SQLite database {dir}/none.sqlite3 does not exist (mount it into the accessory or fix the path)",
			"restic.repository: missing (write repository: s3:https://host/bucket, repository: {secret: RESTIC_REPOSITORY} or repository_file: PATH, or set RESTIC_REPOSITORY)",
			"restic.password: environment variable NOPE is empty or unset",
			"paths[0]: / is a suspicious backup path (back up the mounted volume instead, or write {path: /, allow_suspicious: true})",
		},
	},
}

func TestLoadConfigErrors(t *testing.T) {
	names := map[string]bool{}
	for _, tc := range errorCases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			subst := func(s string) string { return strings.ReplaceAll(s, "{dir}", dir) }
			path := configDir(t, dir, subst(tc.yaml), subst(tc.local))
			env := baseEnv()
			for k, v := range tc.env {
				env[k] = v
			}
			cfg, err := LoadConfig(path, env.lookup, tc.opts)
			var want []string
			for _, w := range tc.want {
				want = append(want, strings.ReplaceAll(subst(w), "{file}", path))
			}
			if got := errorLines(err); !slices.Equal(got, want) {
				t.Errorf("problems:\n got  %q\n want %q", got, want)
			}
			if err == nil {
				if cfg == nil {
					t.Fatal("nil Config without error")
				}
				return
			}
			if cfg != nil {
				t.Error("Config returned with an error")
			}
			fieldErrors(t, err)
		})
	}
}

// TestLegacyKeys checks that every flat key of the Ruby kamal-backup
// before 0.3 is refused with what to write instead, and that the
// documented flat configuration is refused as a whole.
func TestLegacyKeys(t *testing.T) {
	for key, hint := range legacyKeys {
		t.Run(key, func(t *testing.T) {
			_, err := loadYAML(t, validBase+key+": hunter2hunter2\n", baseEnv(), LoadOptions{})
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FieldError", err)
			}
			if want := key + " is no longer supported: write " + hint; fe.Msg != want || fe.Path != "" {
				t.Errorf("got path %q msg %q, want %q", fe.Path, fe.Msg, want)
			}
			noSecret(t, []string{"hunter2hunter2"}, err.Error())
		})
	}
	data, err := os.ReadFile(filepath.Join("testdata", "examples", "legacy_flat.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = loadYAML(t, string(data), fakeEnv{}, LoadOptions{ShapeOnly: true})
	var legacy []string
	for _, line := range errorLines(err) {
		if strings.Contains(line, "is no longer supported: write") {
			_, after, _ := strings.Cut(line, ": ")
			legacy = append(legacy, strings.Fields(after)[0])
		}
	}
	want := []string{"app_name", "database_adapter", "database_url", "backup_paths", "restic_repository", "restic_init_if_missing", "backup_schedule_seconds"}
	if !slices.Equal(legacy, want) {
		t.Errorf("legacy keys reported %q, want %q\n%v", legacy, want, err)
	}
}
