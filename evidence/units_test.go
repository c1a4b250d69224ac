package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

func TestFactJSON(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fact Fact[SnapshotRef]
		want string
	}{
		{Fact[SnapshotRef]{}, `null`},
		{Failed[SnapshotRef](errors.New("boom")), `{"error":"boom"}`},
		{Known(SnapshotRef{ID: "abcd1234", Time: now, Tags: []string{"a"}}), `{"id":"abcd1234","time":"2026-11-27T14:12:05Z","tags":["a"]}`},
	} {
		js, err := json.Marshal(tc.fact)
		if err != nil || string(js) != tc.want {
			t.Errorf("Marshal(%+v) = %s, %v; want %s", tc.fact, js, err, tc.want)
		}
		var back Fact[SnapshotRef]
		if err := json.Unmarshal(js, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.fact, back); diff != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", js, diff)
		}
	}
	// A record with an "error" key among others is a value, not an error.
	var rec Fact[json.RawMessage]
	if err := json.Unmarshal([]byte(`{"status":"failed","error":"x"}`), &rec); err != nil || rec.Value == nil || rec.Error != "" {
		t.Errorf("record with an error field read as %+v, %v", rec, err)
	}
}

// TestRedactJSONKeepsStructure redacts keys and values that look secret
// without breaking the JSON or reordering it.
func TestRedactJSONKeepsStructure(t *testing.T) {
	t.Parallel()
	r := &redact.Redactor{}
	r.Add("hunter22")
	in := `{"zeta":1,"auth":{"token_store":[true,null,1.50,"password=hunter22"]},"a\"b":"x hunter22 <y>","":[]}`
	got, err := redactJSON([]byte(in), r.Redact)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"zeta":1,"auth":{"token_store":[true,null,1.50,"password=[REDACTED]"]},"a\"b":"x [REDACTED] <y>","":[]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		0: "0s", 400 * time.Millisecond: "0s", 95 * time.Second: "1m 35s", 26 * time.Hour: "1d 2h",
		3*24*time.Hour + 5*time.Minute: "3d", 90 * time.Minute: "1h 30m", -2 * time.Hour: "-2h",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestIntervals checks the scheduled intervals counted for a source.
func TestIntervals(t *testing.T) {
	t.Parallel()
	at := func(ago time.Duration) *repo.Snapshot { return &repo.Snapshot{Time: now.Add(-ago)} }
	for _, tc := range []struct {
		name              string
		snaps             []*repo.Snapshot
		window, interval  time.Duration
		expected, covered int
	}{
		{"none", nil, 10 * day, day, 10, 0},
		{"first three days ago", []*repo.Snapshot{at(3*day - time.Hour), at(time.Hour)}, 10 * day, day, 3, 2},
		{"on an interval boundary", []*repo.Snapshot{at(2 * day), at(day), at(0)}, 10 * day, day, 3, 3},
		{"before the window", []*repo.Snapshot{at(40 * day)}, 10 * day, day, 10, 0},
		{"interval longer than window", []*repo.Snapshot{at(40 * day), at(2 * day)}, 3 * day, 7 * day, 1, 1},
		{"from the future", []*repo.Snapshot{at(-time.Hour)}, 2 * day, day, 0, 0},
	} {
		e, c := intervals(tc.snaps, now, tc.window, tc.interval)
		if e != tc.expected || c != tc.covered {
			t.Errorf("%s: %d of %d intervals, want %d of %d", tc.name, c, e, tc.covered, tc.expected)
		}
	}
}

// TestMarkdownEscaping renders text that would otherwise be markup.
func TestMarkdownEscaping(t *testing.T) {
	t.Parallel()
	r := &report{title: "app *bold* #1"}
	r.para(txt("a_b [link](x) <b>"), cod("x`y"))
	r.table([]string{"h|1"}, [][]line{{{cod("a|b"), txt(" c|d\ne")}}})
	r.pre("```\ninside")
	var b strings.Builder
	if err := renderMarkdown(r, &b); err != nil {
		t.Fatal(err)
	}
	want := "# app \\*bold\\* \\#1\n\na\\_b \\[link\\](x) \\<b\\>``x`y``\n\n| h\\|1 |\n|---|\n| `a\\|b` c\\|d e |\n\n````text\n```\ninside\n````\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestHTMLEscaping renders text holding markup.
func TestHTMLEscaping(t *testing.T) {
	t.Parallel()
	r := &report{title: "<script>alert(1)</script>"}
	r.para(cod("<img src=x onerror=alert(1)>"))
	var b strings.Builder
	if err := renderHTML(r, &b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<script>") || strings.Contains(b.String(), "<img") {
		t.Errorf("markup passed through:\n%s", b.String())
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	t.Parallel()
	if err := Render(&Document{}, "pdf", &strings.Builder{}); err == nil || !strings.Contains(err.Error(), "markdown") {
		t.Errorf("Render(pdf) = %v", err)
	}
}

// TestDetectToolVersions runs fake tools found on PATH: first lines are
// kept, MariaDB's names win, a missing or failing tool is nil.
func TestDetectToolVersions(t *testing.T) {
	dir := t.TempDir()
	for name, script := range map[string]string{
		"pg_dump":   "echo; echo 'pg_dump (PostgreSQL) 17.2'; echo second",
		"mysqldump": "echo 'mysqldump  Ver 8.0'",
		"mariadb":   "echo 'mariadb from 11.4'",
		"mysql":     "echo 'mysql  Ver 8.0'",
		"sqlite3":   "echo '3.46.0'; exit 1",
		"rclone":    "echo 'rclone v1.68.0'; echo '- os/version: debian'",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir)
	got := DetectToolVersions(context.Background())
	want := map[string]string{"pg_dump": "pg_dump (PostgreSQL) 17.2", "mysql_dump": "mysqldump  Ver 8.0",
		"mysql_client": "mariadb from 11.4", "rclone": "rclone v1.68.0"}
	for _, key := range []string{"pg_dump", "pg_restore", "mysql_dump", "mysql_client", "sqlite3", "rclone"} {
		v, ok := got[key]
		if !ok {
			t.Errorf("%s missing from the map", key)
		}
		switch w, known := want[key]; {
		case known && (v == nil || *v != w):
			t.Errorf("%s = %v, want %q", key, v, w)
		case !known && v != nil:
			t.Errorf("%s = %q, want nil", key, *v)
		}
	}
}
