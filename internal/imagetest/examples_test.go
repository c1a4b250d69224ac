package imagetest

import (
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/kamal-backup/kamal-backup/backup"
)

// The example configurations of examples/kamal/config, each loaded by the
// real loader the way the accessory (or a developer machine) loads it.
var exampleConfigs = []string{"kamal-backup.yml", "kamal-backup.mysql.yml", "kamal-backup.sqlite.yml"}

func exampleDir(t testing.TB) string {
	return filepath.Join(repoRoot(t), "examples", "kamal")
}

// noEnv is an empty environment, so that the test's own variables
// (RESTIC_REPOSITORY, DATABASE_URL, ...) cannot change what is loaded.
func noEnv(string) (string, bool) { return "", false }

func TestExampleConfigsLoad(t *testing.T) {
	for _, name := range exampleConfigs {
		t.Run(name, func(t *testing.T) {
			cfg, err := backup.LoadConfig(filepath.Join(exampleDir(t), "config", name), noEnv,
				backup.LoadOptions{ShapeOnly: true, LocalPath: filepath.Join(t.TempDir(), "none.yml")})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if len(cfg.Warnings) > 0 {
				t.Errorf("warnings: %q", cfg.Warnings)
			}
			for _, p := range cfg.Paths {
				if !strings.HasPrefix(p.Path, "/data/storage") {
					t.Errorf("path %s is not in the storage volume the accessory mounts at /data/storage", p.Path)
				}
			}
			for _, db := range cfg.Databases() {
				if db.Adapter == "sqlite" && !strings.HasPrefix(db.Path, "/data/storage/") {
					t.Errorf("SQLite database %s is not in the storage volume mounted at /data/storage", db.Path)
				}
			}
		})
	}
}

func TestExampleLocalOverride(t *testing.T) {
	dir := filepath.Join(exampleDir(t), "config")
	cfg, err := backup.LoadConfig(filepath.Join(dir, "kamal-backup.yml"), noEnv,
		backup.LoadOptions{Local: true, ShapeOnly: true})
	if err != nil {
		t.Fatalf("load with the local override: %v", err)
	}
	if got := cfg.StateDir(); !strings.Contains(filepath.ToSlash(got.Path), "tmp/kamal-backup") {
		t.Errorf("local state directory %s, want tmp/kamal-backup", got.Path)
	}
	if len(cfg.Paths) != 1 || cfg.Paths[0].Path != "storage" {
		t.Errorf("local paths %+v, want [storage]", cfg.Paths)
	}
	if !slices.Equal(cfg.RestoreFrom, []string{"/data/storage"}) {
		t.Errorf("restore_from %q, want the production path /data/storage", cfg.RestoreFrom)
	}
}

// secretRefs returns the NAMEs of every {secret: NAME} in a YAML document.
func secretRefs(t testing.TB, text string) []string {
	t.Helper()
	var doc any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if s, ok := v["secret"].(string); ok && len(v) == 1 {
				names = append(names, s)
			}
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(doc)
	slices.Sort(names)
	return slices.Compact(names)
}

// deployFile is the part of a Kamal deploy.yml the checks read.
type deployFile struct {
	Env      kamalEnv `yaml:"env"`
	Registry struct {
		Password []string `yaml:"password"`
	} `yaml:"registry"`
	Accessories map[string]struct {
		Image   string   `yaml:"image"`
		Cmd     string   `yaml:"cmd"`
		Files   []string `yaml:"files"`
		Volumes []string `yaml:"volumes"`
		Env     kamalEnv `yaml:"env"`
	} `yaml:"accessories"`
}

type kamalEnv struct {
	Secret []string `yaml:"secret"`
}

func TestExampleDeployAccessory(t *testing.T) {
	var deploy deployFile
	if err := yaml.Unmarshal([]byte(readFile(t, "examples/kamal/config/deploy.yml")), &deploy); err != nil {
		t.Fatal(err)
	}
	acc, ok := deploy.Accessories["backup"]
	if !ok {
		t.Fatal("deploy.yml has no backup accessory")
	}
	if _, tag, _ := strings.Cut(acc.Image, ":"); tag == "" || tag == "latest" {
		t.Errorf("image %s: pin a version, which the Kamal bridge compares with the local one", acc.Image)
	}
	if acc.Cmd != "" {
		t.Errorf("cmd %q: the image's ENTRYPOINT already is tini -- kamal-backup and its CMD schedule", acc.Cmd)
	}
	if !slices.ContainsFunc(acc.Files, func(f string) bool {
		return strings.HasPrefix(f, "config/kamal-backup.yml:/app/config/kamal-backup.yml")
	}) {
		t.Errorf("files %q do not mount config/kamal-backup.yml at /app/config/kamal-backup.yml, the image's default", acc.Files)
	}
	mounts := map[string]bool{}
	for _, v := range acc.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 {
			mounts[parts[1]] = true
		}
	}
	if !mounts["/var/lib/kamal-backup"] || !mounts["/data/storage"] {
		t.Errorf("volumes %q: want the state directory /var/lib/kamal-backup and the storage at /data/storage", acc.Volumes)
	}
	for _, name := range secretRefs(t, readFile(t, "examples/kamal/config/kamal-backup.yml")) {
		if !slices.Contains(acc.Env.Secret, name) {
			t.Errorf("kamal-backup.yml reads {secret: %s}, which the backup accessory's env.secret does not pass", name)
		}
	}
}

func TestExampleSecrets(t *testing.T) {
	secrets := readFile(t, "examples/kamal/.kamal/secrets")
	set := func(name string, commentedOK bool) bool {
		prefix := `^`
		if commentedOK {
			prefix = `^(# ?)?`
		}
		return regexp.MustCompile(`(?m)` + prefix + regexp.QuoteMeta(name) + `=`).MatchString(secrets)
	}
	var deploy deployFile
	if err := yaml.Unmarshal([]byte(readFile(t, "examples/kamal/config/deploy.yml")), &deploy); err != nil {
		t.Fatal(err)
	}
	names := append(slices.Clone(deploy.Env.Secret), deploy.Registry.Password...)
	for _, acc := range deploy.Accessories {
		names = append(names, acc.Env.Secret...)
	}
	for _, name := range names {
		if !set(name, false) {
			t.Errorf("deploy.yml passes the secret %s, which .kamal/secrets does not set", name)
		}
	}
	// The other configurations' secrets may be commented out: they are
	// alternatives to the deployed one.
	for _, file := range exampleConfigs {
		for _, name := range secretRefs(t, readFile(t, "examples/kamal/config/"+file)) {
			if !set(name, true) {
				t.Errorf("%s reads {secret: %s}, which .kamal/secrets does not show", file, name)
			}
		}
	}
}
