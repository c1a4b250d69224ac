package backup

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/redact"
)

// A secret next to escaped quotes used to make the redacted text invalid
// JSON, and the record was then not written at all.
func TestStateRecordRedactsValuesNotStructure(t *testing.T) {
	r := &redact.Redactor{}
	r.Add("hunter2hunter2")
	d := StateDir{Path: t.TempDir(), Redactor: r}
	rec := map[string]any{
		"command":  `MYSQL_PWD="hunter2hunter2" mariadb -e 'select 1'`,
		"output":   `password=hunter2hunter2 "quoted" \ backslash`,
		"nested":   []any{map[string]any{"x": "hunter2hunter2", "n": 1.5, "ok": true, "nil": nil}},
		"auth_key": "value-kept-as-key-test",
	}
	if err := d.WriteRecord("last_restore_drill.json", rec); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(d.Path, "last_restore_drill.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "hunter2hunter2") {
		t.Fatalf("secret written:\n%s", data)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("record is not JSON: %v\n%s", err, data)
	}
	if _, ok := back["auth_key"]; !ok || back["nested"].([]any)[0].(map[string]any)["n"] != 1.5 {
		t.Fatalf("structure changed:\n%s", data)
	}
}
