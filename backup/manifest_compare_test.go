package backup

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCompareRowCounts(t *testing.T) {
	manifest := func(exact bool, tables ...TableRows) *RowCounts {
		return &RowCounts{Exact: exact, Tables: tables}
	}
	users, posts := TableRows{Schema: "public", Name: "users", Rows: 10}, TableRows{Schema: "public", Name: "posts", Rows: 4}
	fewer := TableRows{Schema: "public", Name: "users", Rows: 9}
	extra := TableRows{Schema: "public", Name: "tmp", Rows: 1}
	for _, c := range []struct {
		name      string
		want, got *RowCounts
		status    string
		err       string // "" when the drill passes
		tables    int
		rows      int64
		mismatch  int
	}{
		{"same", manifest(true, users, posts), manifest(true, posts, users), StatusOK, "", 2, 14, 0},
		{"exact, rows differ", manifest(true, users, posts), manifest(true, fewer, posts), StatusFailed,
			"table public.users: 10 rows in the snapshot, 9 restored", 2, 14, 1},
		{"approximate, rows differ", manifest(false, users, posts), manifest(true, fewer, posts), StatusWarning, "", 2, 14, 1},
		{"approximate, table missing", manifest(false, users, posts), manifest(true, users), StatusFailed,
			"table public.posts: 4 rows in the snapshot, missing from the restored database", 2, 14, 1},
		{"exact, extra table", manifest(true, users), manifest(true, users, extra), StatusFailed,
			"table public.tmp: not in the snapshot's manifest, 1 rows restored", 1, 10, 1},
		{"approximate, extra table", manifest(false, users), manifest(true, users, extra), StatusWarning, "", 1, 10, 1},
		{"empty", manifest(true), manifest(true), StatusOK, "", 0, 0, 0},
	} {
		v := DataVerification{Mismatches: []TableMismatch{}}
		err := compareRowCounts(&v, c.want, c.got)
		switch {
		case c.err == "" && err != nil, c.err != "" && (!errors.Is(err, ErrDataMismatch) || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.err)
		case v.Status != c.status || v.TablesChecked != c.tables || v.RowsChecked != c.rows || len(v.Mismatches) != c.mismatch:
			t.Errorf("%s: %+v", c.name, v)
		}
	}
}

func TestDescribeMismatchesBounded(t *testing.T) {
	var ms []TableMismatch
	for i := range 8 {
		n := int64(i)
		ms = append(ms, TableMismatch{Table: fmt.Sprintf("t%d", i), Expected: &n, Actual: rowsPtr(n + 1)})
	}
	got := describeMismatches(ms)
	if !strings.Contains(got, "table t4: 4 rows in the snapshot, 5 restored") || strings.Contains(got, "t5") || !strings.HasSuffix(got, "and 3 more tables") {
		t.Errorf("describeMismatches = %q", got)
	}
}

func TestParseRowCounts(t *testing.T) {
	m := &RowCounts{Tables: []TableRows{{Name: "b", Rows: 1}, {Name: "a", Rows: 2}}}
	m.finish("app", "sqlite")
	if m.Kind != KindRowCounts || m.SchemaVersion != RecordSchemaVersion || m.Tables[0].Name != "a" {
		t.Fatalf("finish: %+v", m)
	}
	if _, err := ParseRowCounts([]byte(`{"schema_version":1,"kind":"row_counts","database":"app","exact":true,"tables":[{"name":"a","rows":2}]}`)); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{`{"schema_version":1,"kind":"backup_result"}`, `{"schema_version":2,"kind":"row_counts"}`, `[`} {
		if _, err := ParseRowCounts([]byte(bad)); err == nil {
			t.Errorf("ParseRowCounts(%s) succeeded", bad)
		}
	}
}
