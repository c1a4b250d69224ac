package retention_test

import (
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// fixture is a fixed list of snapshots, newest first, written for these
// tests: ISO week and year boundaries, a tagged few and an oldest snapshot
// that shares its year with a newer one. Index i in expectations is
// fixture()[i].
func fixture(t testing.TB) []*repo.Snapshot {
	t.Helper()
	rows := []struct {
		time string
		tags []string
	}{
		{"2025-03-10T09:15:00Z", nil},                      // 0 Mon, 2025-W11
		{"2025-03-09T22:40:00Z", []string{"db"}},           // 1 Sun, W10
		{"2025-03-09T08:05:00Z", nil},                      // 2 Sun, W10
		{"2025-03-03T07:00:00Z", nil},                      // 3 Mon, W10
		{"2025-03-02T23:59:00Z", nil},                      // 4 Sun, W09
		{"2025-02-14T12:00:00Z", []string{"db", "weekly"}}, // 5 W07
		{"2025-01-01T00:30:00Z", nil},                      // 6 Wed, 2025-W01
		{"2024-12-30T10:00:00Z", nil},                      // 7 Mon, 2025-W01
		{"2024-12-29T10:00:00Z", nil},                      // 8 Sun, 2024-W52
		{"2024-06-15T10:00:00Z", []string{"weekly"}},       // 9
		{"2024-06-01T10:00:00Z", nil},                      // 10
		{"2023-12-31T18:00:00Z", nil},                      // 11 Sun, 2023-W52
		{"2023-05-05T10:00:00Z", nil},                      // 12 oldest, same year as 11
	}
	snaps := make([]*repo.Snapshot, len(rows))
	for i, r := range rows {
		snaps[i] = snap(t, r.time, r.tags...)
	}
	return snaps
}

// snap returns a snapshot of host "h", path "/p" taken at the RFC 3339
// time ts, keeping its UTC offset.
func snap(t testing.TB, ts string, tags ...string) *repo.Snapshot {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		t.Fatal(err)
	}
	return &repo.Snapshot{Time: tm, Hostname: "h", Paths: []string{"/p"}, Tags: tags}
}

// fixtureNow is well after every fixture snapshot.
var fixtureNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
