package backup

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConfigReferenceEnvironment: every variable of the reference's
// "Environment variables" table is read by the configuration code and set
// by some configuration test; every variable the configuration code
// reads for a setting is in the table.
func TestConfigReferenceEnvironment(t *testing.T) {
	doc, err := os.ReadFile("../docs/CONFIGURATION.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := referenceEnvVars(t, string(doc))
	code, tests := goStrings(t, false), goStrings(t, true)
	for _, v := range documented {
		if !code[v] {
			t.Errorf("%s is documented in docs/CONFIGURATION.md but no configuration code reads it", v)
		}
		if !tests[v] {
			t.Errorf("%s is documented but no test in backup/ sets it", v)
		}
	}
	read := map[string]bool{}
	for name := range code {
		if envSetting.MatchString(name) {
			read[name] = true
		}
	}
	for _, v := range documented {
		delete(read, v)
	}
	for name := range read {
		t.Errorf("the configuration code reads %s, which docs/CONFIGURATION.md does not list", name)
	}
	if len(documented) < 30 {
		t.Fatalf("only %d variables found in the table: is the doc's format still parsed?", len(documented))
	}
}

// envSetting matches the variable names that set a configuration value
// (the PG*, MYSQL_* and MARIADB_* connection variables passed to the
// tools are not settings).
var envSetting = regexp.MustCompile(`^(RESTIC_|KAMAL_BACKUP_|BACKUP_|APP_NAME$|DATABASE_URL$|DATABASE_ADAPTER$|SQLITE_DATABASE_PATH$)`)

// referenceEnvVars returns the variables of the reference's environment
// table, the shorthand "_DAILY" after RESTIC_KEEP_LAST expanded.
func referenceEnvVars(t *testing.T, doc string) []string {
	_, table, ok := strings.Cut(doc, "## Environment variables")
	if !ok {
		t.Fatal(`docs/CONFIGURATION.md has no "## Environment variables" section`)
	}
	if i := strings.Index(table, "\n## "); i >= 0 {
		table = table[:i]
	}
	var out []string
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
		prefix := ""
		for _, m := range regexp.MustCompile("`([A-Z_][A-Z0-9_]*)`").FindAllStringSubmatch(first, -1) {
			name := m[1]
			if strings.HasPrefix(name, "_") {
				name = prefix + name
			} else if i := strings.LastIndex(name, "_"); i > 0 {
				prefix = name[:i]
			}
			out = append(out, name)
		}
	}
	return out
}

// goStrings returns the upper-case string literals of the backup
// package's configuration files (config*.go): the tests' or the code's.
func goStrings(t *testing.T, tests bool) map[string]bool {
	files, err := filepath.Glob("config*.go")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`"([A-Z][A-Z0-9_]+)[="]`)
	out := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") != tests {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllStringSubmatch(string(data), -1) {
			out[m[1]] = true
		}
	}
	return out
}
