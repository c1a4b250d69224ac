package backup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// docExample is a configuration from the Ruby kamal-backup's
// documentation (testdata/examples): a whole file, or a fragment the
// documentation shows as a change to a whole file.
type docExample struct {
	name     string
	base     string   // whole file in testdata/examples
	fragment string   // merged over base key by key, lists replaced
	drop     []string // dotted keys removed from base first (a fragment "instead of")
	local    string   // local override file; loads with LoadOptions.Local
}

var docExamples = []docExample{
	{name: "reference_full", base: "reference_full.yml"},
	{name: "all_settings", base: "all_settings.yml"},
	{name: "generated", base: "generated.yml"},
	{name: "readme", base: "readme.yml"},
	{name: "ruby_test_grouped", base: "ruby_test_grouped.yml"},
	{name: "mysql", base: "generated.yml", fragment: "mysql.fragment.yml"},
	{name: "sqlite", base: "generated.yml", fragment: "sqlite.fragment.yml"},
	{name: "sqlite_excludes", base: "generated.yml", fragment: "sqlite_excludes.fragment.yml"},
	{name: "repository_secret", base: "generated.yml", fragment: "repository_secret.fragment.yml"},
	{name: "rest", base: "generated.yml", fragment: "rest.fragment.yml"},
	{name: "password_file", base: "generated.yml", fragment: "password_file.fragment.yml", drop: []string{"restic.password"}},
	{name: "repository_file", base: "generated.yml", fragment: "repository_file.fragment.yml", drop: []string{"restic.repository"}},
	{name: "useful_options", base: "generated.yml", fragment: "useful_options.fragment.yml"},
	{name: "url_secret", base: "readme.yml", fragment: "url_secret.fragment.yml"},
	{name: "restic_secrets", base: "readme.yml", fragment: "restic_secrets.fragment.yml"},
	{name: "multiple_databases", base: "readme.yml", fragment: "multiple_databases.fragment.yml"},
	{name: "local", base: "readme.yml", local: "local.local.yml"},
	{name: "restore_from", base: "readme.yml", local: "restore_from.local.yml"},
}

// text returns the example's main file and local file.
func (ex docExample) text(t *testing.T) (main, local string) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "examples", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	main = string(read(ex.base))
	if ex.fragment != "" || len(ex.drop) > 0 {
		var base, frag map[string]any
		if err := yaml.Unmarshal([]byte(main), &base); err != nil {
			t.Fatal(err)
		}
		for _, key := range ex.drop {
			dropKey(base, strings.Split(key, "."))
		}
		if ex.fragment != "" {
			if err := yaml.Unmarshal(read(ex.fragment), &frag); err != nil {
				t.Fatal(err)
			}
			mergeMaps(base, frag)
		}
		b, err := yaml.Marshal(base)
		if err != nil {
			t.Fatal(err)
		}
		main = string(b)
	}
	if ex.local != "" {
		local = string(read(ex.local))
	}
	return main, local
}

// mergeMaps merges src into dst: mappings key by key, anything else
// replaced.
func mergeMaps(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeMaps(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// dropKey removes the nested key path from m.
func dropKey(m map[string]any, path []string) {
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	if sub, ok := m[path[0]].(map[string]any); ok {
		dropKey(sub, path[1:])
	}
}

// TestExamplesShape loads every documented example as written, without
// the accessory's environment (LoadOptions.ShapeOnly), and compares its
// Summary with a golden file.
func TestExamplesShape(t *testing.T) {
	for _, ex := range docExamples {
		t.Run(ex.name, func(t *testing.T) {
			main, local := ex.text(t)
			dir := t.TempDir()
			path := configDir(t, dir, main, local)
			cfg, err := LoadConfig(path, fakeEnv{}.lookup, LoadOptions{ShapeOnly: true, Local: ex.local != ""})
			if err != nil {
				t.Fatalf("LoadConfig:\n%s\n---\n%s", err, main)
			}
			got, err := json.MarshalIndent(cfg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(bytes.ReplaceAll(got, []byte(dir), []byte("$DIR")), '\n')
			golden := filepath.Join("testdata", "examples", "golden", ex.name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("summary differs from %s (run with -update after checking):\n%s", golden, got)
			}
		})
	}
}

// secretRef finds the environment variables an example names as secrets.
var (
	secretRef = regexp.MustCompile(`secret:\s*([A-Za-z_][A-Za-z0-9_]*)`)
	comment   = regexp.MustCompile(`(?m)(^|\s)#.*$`)
)

// TestExamplesLive loads every documented example as the accessory would:
// its absolute paths moved into a temporary root where they exist, every
// secret it names set in the environment or in its file. The result must
// validate, hold the secrets, and show none of them.
func TestExamplesLive(t *testing.T) {
	for _, ex := range docExamples {
		t.Run(ex.name, func(t *testing.T) {
			main, local := ex.text(t)
			root := t.TempDir()
			for _, prefix := range []string{"/data/", "/rails/", "/run/secrets/", "/var"} {
				main = strings.ReplaceAll(main, prefix, root+prefix)
			}
			for _, d := range []string{"data/storage", "rails/storage", "rails/uploads", "run/secrets", "var"} {
				if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			env := fakeEnv{}
			var secrets []string // values that must never be shown
			for _, m := range secretRef.FindAllStringSubmatch(comment.ReplaceAllString(main+local, ""), -1) {
				name, v := m[1], randomSecret(t)
				switch {
				case strings.Contains(name, "WEBHOOK"), strings.Contains(name, "HEALTHCHECKS"):
					env[name] = "https://hooks.example.com/" + v
				case strings.Contains(name, "URL"):
					env[name] = "postgres://app:" + v + "@db:5432/app"
				case strings.Contains(name, "REPOSITORY"):
					env[name] = "rest:https://backup:" + v + "@backup.example.com/app"
				default:
					env[name] = v
				}
				// User names are not secret; the local examples replace
				// the databases, so their passwords are never read.
				username := name == "U" || strings.Contains(name, "USER")
				if !username && !(ex.local != "" && strings.Contains(name, "DATABASE")) {
					secrets = append(secrets, v)
				}
			}
			filePassword := randomSecret(t)
			if strings.Contains(main, "secrets/restic-password") {
				secrets = append(secrets, filePassword)
			}
			files := map[string]string{
				"data/storage/production.sqlite3":  "",
				"rails/storage/production.sqlite3": "",
				"rails/uploads/x":                  "",
				"run/secrets/restic-password":      filePassword + "\n",
				"run/secrets/restic-repository":    root + "/repo\n",
			}
			for name, content := range files {
				if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			path := configDir(t, root, main, local)
			cfg, err := LoadConfig(path, env.lookup, LoadOptions{Local: ex.local != ""})
			if err != nil {
				t.Fatalf("LoadConfig:\n%s\n---\n%s", err, main)
			}
			if cfg.RepositoryPassword().IsZero() || cfg.Repository().IsZero() {
				t.Errorf("repository %q or its password is empty", cfg.RepositoryDisplay())
			}
			if len(cfg.Databases()) == 0 {
				t.Errorf("no databases")
			}
			r := cfg.Redactor()
			for _, s := range secrets {
				if got := r.Redact("x " + s + " x"); strings.Contains(got, s) {
					t.Errorf("redactor keeps secret: %q", got)
				}
			}
			js, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			noSecret(t, secrets, string(js), fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
				fmt.Sprintf("%+v", cfg.Databases()), fmt.Sprintf("%#v", *cfg), cfg.RepositoryDisplay())
		})
	}
}
