package evidence

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// schemaPath is the JSON Schema of the evidence document.
var schemaPath = filepath.Join("..", "docs", "evidence.schema.json")

// TestGoldenMatchesSchema validates the golden documents, and documents
// full of errors, against docs/evidence.schema.json.
func TestGoldenMatchesSchema(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	for _, name := range []string{"evidence.json", "missing.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if errs := s.validate(decodeJSON(t, data)); len(errs) > 0 {
			t.Errorf("%s does not match the schema:\n%s", name, strings.Join(errs, "\n"))
		}
	}
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 2)
	if err := os.WriteFile(filepath.Join(f.dir, "state", "last_check.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	doc := f.collect(t)
	doc.BackupHistory = Failed[BackupHistory](fmt.Errorf("list snapshots: boom"))
	doc.Repository.Value.SizeBytes = Failed[int64](fmt.Errorf("list data: boom"))
	doc.LatestFileBackup = Failed[SnapshotRef](fmt.Errorf("boom"))
	if errs := s.validate(decodeJSON(t, []byte(render(t, doc, FormatJSON)))); len(errs) > 0 {
		t.Errorf("a document with errors does not match the schema:\n%s", strings.Join(errs, "\n"))
	}
}

// TestSchemaCheckerRejects makes sure the checker finds what it should,
// so that a passing validation means something.
func TestSchemaCheckerRejects(t *testing.T) {
	t.Parallel()
	s := loadSchema(t)
	data, err := os.ReadFile(filepath.Join("testdata", "evidence.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"missing field", func(m map[string]any) { delete(m, "tool_versions") }, "$: missing tool_versions"},
		{"wrong type", func(m map[string]any) { m["paths"] = "x" }, "$.paths: "},
		{"bad verdict", func(m map[string]any) { m["objectives"].(map[string]any)["verdict"] = "maybe" }, "$.objectives.verdict"},
		{"bad error object", func(m map[string]any) { m["latest_file_backup"] = map[string]any{"error": 1} }, "$.latest_file_backup"},
		{"float count", func(m map[string]any) {
			m["backup_history"].(map[string]any)["sources"].([]any)[0].(map[string]any)["backups"] = json.Number("1.5")
		}, "$.backup_history"},
	} {
		doc := decodeJSON(t, data).(map[string]any)
		tc.change(doc)
		errs := s.validate(doc)
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, tc.want) }) {
			t.Errorf("%s: errors %q, want one starting with %q", tc.name, errs, tc.want)
		}
	}
}
