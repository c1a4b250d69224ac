package backup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// update rewrites golden files: go test ./backup -run Examples -update
var update = flag.Bool("update", false, "rewrite golden files")

// fakeEnv is an environment for LoadConfig's lookup.
type fakeEnv map[string]string

func (e fakeEnv) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// configDir writes main (and, when not empty, local) as
// dir/config/kamal-backup.yml and dir/config/kamal-backup.local.yml, and
// returns the main file's path.
func configDir(t testing.TB, dir, main, local string) string {
	t.Helper()
	cdir := filepath.Join(dir, "config")
	if err := os.MkdirAll(cdir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cdir, "kamal-backup.yml")
	if err := os.WriteFile(path, []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	if local != "" {
		if err := os.WriteFile(filepath.Join(cdir, LocalConfigName), []byte(local), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// loadYAML writes main in a fresh directory and loads it.
func loadYAML(t testing.TB, main string, env fakeEnv, opts LoadOptions) (*Config, error) {
	t.Helper()
	return LoadConfig(configDir(t, t.TempDir(), main, ""), env.lookup, opts)
}

// mustLoad loads main and fails the test on error.
func mustLoad(t testing.TB, main string, env fakeEnv, opts LoadOptions) *Config {
	t.Helper()
	c, err := loadYAML(t, main, env, opts)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	return c
}

// errorLines returns the messages of a joined error, one per problem.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	var lines []string
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			lines = append(lines, e.Error())
		}
		return lines
	}
	return []string{err.Error()}
}

// fieldErrors asserts that every problem in err is a *FieldError.
func fieldErrors(t testing.TB, err error) {
	t.Helper()
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %v is not joined", err)
	}
	for _, e := range j.Unwrap() {
		var fe *FieldError
		if !errors.As(e, &fe) {
			t.Errorf("problem %q is a %T, not a *FieldError", e, e)
		}
	}
}

// randomSecret returns a secret unlikely to occur anywhere by chance.
func randomSecret(t testing.TB) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "s3cr" + hex.EncodeToString(b)
}

// noSecret fails the test if any of secrets occurs in any of texts.
func noSecret(t testing.TB, secrets []string, texts ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, text := range texts {
			if strings.Contains(text, s) {
				t.Errorf("secret %q leaked into:\n%s", s, text)
			}
		}
	}
}
