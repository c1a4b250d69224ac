package main

import (
	"encoding/json"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// TestForgetJSONMatchesRestic runs "forget --dry-run --json" with many
// policies through restic 0.18.1 and through kamal-backup on a repository
// restic wrote (snapshots over two years, three UTC offsets, two hosts,
// tags) and requires the same JSON: the same fields, groups, kept and
// removed snapshots and reasons. restic prints groups in map order, so
// groups are compared by key. For single-group runs the text output must
// be identical too.
func TestForgetJSONMatchesRestic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	repoDir := filepath.Join(dir, "repo")
	rr := newRestic(t, repoDir, "forget-golden-pw", dir)
	rr.run(t, "", "init")
	cheapKey(t, repoDir, "forget-golden-pw")
	for i, s := range []struct{ time, tz, host, tags string }{
		{"2023-01-15 10:00:00", "UTC", "h1", "app"},
		{"2023-06-30 23:30:00", "Asia/Kolkata", "h1", "app"},
		{"2023-12-31 22:00:00", "America/New_York", "h1", "app,nightly"},
		{"2024-01-01 01:00:00", "UTC", "h1", "app"},
		{"2024-02-29 12:00:00", "UTC", "h1", "app,nightly"},
		{"2024-03-01 00:30:00", "Asia/Kolkata", "h1", "app"},
		{"2024-03-01 08:15:00", "UTC", "h1", ""},
		{"2024-03-01 08:45:00", "UTC", "h1", "app"},
		{"2024-03-04 09:00:00", "America/New_York", "h1", "app,nightly"},
		{"2024-03-10 09:00:00", "UTC", "h1", "app"},
		{"2024-01-05 05:00:00", "UTC", "h2", "web"},
		{"2024-03-05 05:00:00", "UTC", "h2", "web"},
		{"2024-03-05 06:00:00", "UTC", "h2", ""},
	} {
		r := *rr
		r.env = append(slices.Clone(rr.env), "TZ="+s.tz)
		args := []string{"backup", "--stdin", "--stdin-filename", "db.sql", "--host", s.host, "--time", s.time}
		if s.tags != "" {
			args = append(args, "--tag", s.tags)
		}
		r.run(t, strings.Repeat("x", i+1), args...)
	}
	env := map[string]string{"RESTIC_REPOSITORY": repoDir, "RESTIC_PASSWORD": "forget-golden-pw"}

	for _, args := range [][]string{
		{"--keep-last", "3"},
		{"--keep-daily", "2", "--keep-weekly", "2", "--keep-monthly", "3", "--keep-yearly", "unlimited"},
		{"--keep-within", "60d", "--keep-tag", "nightly"},
		{"--keep-hourly", "5", "--group-by", "host"},
		{"--keep-within-daily", "30d", "--keep-within-monthly", "1y", "--group-by", "tags"},
		{"--keep-weekly", "3", "--keep-tag", "app,nightly", "--keep-tag", "web", "--group-by", "host,tags"},
		{"--keep-last", "1", "--group-by", ""},
		{"--keep-monthly", "2", "--keep-within-hourly", "1y", "--tag", "app", "--host", "h1"},
		{"--keep-yearly", "1", "--keep-within", "1y2m", "--host", "h1"},
		{"--unsafe-allow-remove-all", "--host", "h2"},
	} {
		args := append([]string{"forget", "--dry-run"}, args...)
		t.Run(strings.Join(args[2:], " "), func(t *testing.T) {
			want := rr.run(t, "", append(args, "--json")...)
			got := mustRun(t, env, "", append([]string{"repo"}, append(args, "--json")...)...).stdout
			compareForgetJSON(t, want, got)
			var groups []json.RawMessage
			decodeJSON(t, got, &groups)
			if len(groups) == 1 {
				want := resticText(t, rr, args...)
				got := mustRun(t, env, "", append([]string{"repo"}, args...)...).stdout
				if diff := cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n")); diff != "" {
					t.Errorf("text differs from restic's (-restic +ours):\n%s", diff)
				}
			}
		})
	}
}

// compareForgetJSON compares two forget --json outputs group by group.
func compareForgetJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g []map[string]any
	decodeJSON(t, want, &w)
	decodeJSON(t, got, &g)
	fields := []string{"host", "keep", "paths", "reasons", "remove", "tags"}
	byKey := func(groups []map[string]any) map[string]map[string]any {
		out := map[string]map[string]any{}
		for _, gr := range groups {
			if keys := slices.Sorted(maps.Keys(gr)); !slices.Equal(keys, fields) {
				t.Errorf("group fields %v, want %v", keys, fields)
			}
			k, _ := json.Marshal([]any{gr["host"], gr["paths"], gr["tags"]})
			out[string(k)] = gr
		}
		return out
	}
	wg, gg := byKey(w), byKey(g)
	if len(w) == 0 || len(wg) != len(w) {
		t.Fatalf("restic printed %d groups (%d distinct): %s", len(w), len(wg), want)
	}
	if diff := cmp.Diff(wg, gg); diff != "" {
		t.Errorf("forget --json differs from restic's (-restic +ours):\n%s", diff)
	}
}

// resticText runs restic without -q, for its text output.
func resticText(t *testing.T, rr *resticRunner, args ...string) string {
	t.Helper()
	return string(testenv.RunTool(t, rr.env, rr.cwd, rr.bin, append([]string{"--no-cache"}, args...)...))
}
