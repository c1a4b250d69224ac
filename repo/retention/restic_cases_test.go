package retention_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// TestWithinCalendarRestic pins down how a within duration is subtracted,
// where random sets rarely look: years and months in one calendar step,
// normalised like time.AddDate (Feb 29 − 1y1m is Jan 29), then hours, all
// in the newest snapshot's own UTC offset.
func TestWithinCalendarRestic(t *testing.T) {
	cases := []struct {
		name   string
		latest string
		within string
		probes []string
	}{
		{"leap day minus 1y1m", "2024-02-29T10:00:00Z", "1y1m",
			[]string{"2023-01-29T10:00:00Z", "2023-01-29T10:00:01Z", "2023-01-31T00:00:00Z", "2023-02-01T10:00:00Z", "2023-02-01T10:00:01Z", "2023-03-01T10:00:00Z"}},
		{"months before hours", "2024-03-01T01:00:00Z", "1m2h",
			[]string{"2024-01-29T23:00:00Z", "2024-01-29T23:00:01Z", "2024-01-31T23:00:00Z", "2024-01-31T23:00:01Z"}},
		{"month end normalised", "2024-03-31T12:00:00Z", "1m",
			[]string{"2024-02-29T12:00:00Z", "2024-03-01T12:00:00Z", "2024-03-02T12:00:00Z", "2024-03-02T12:00:01Z"}},
		{"own offset", "2024-03-01T05:00:00+09:00", "1m",
			[]string{"2024-01-30T05:00:00+09:00", "2024-01-30T05:00:01+09:00", "2024-02-01T05:00:00+09:00", "2024-02-01T05:00:01+09:00"}},
		{"days and hours", "2024-01-01T03:00:00-05:00", "1y1d30h",
			[]string{"2022-12-29T21:00:00-05:00", "2022-12-29T21:00:01-05:00", "2022-12-31T03:00:00-05:00"}},
	}
	o := newOracle(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := retention.ParseDuration(c.within)
			if err != nil {
				t.Fatal(err)
			}
			var snaps []*repo.Snapshot
			for _, s := range append([]string{c.latest}, c.probes...) {
				tm, err := time.Parse(time.RFC3339, s)
				if err != nil {
					t.Fatal(err)
				}
				snaps = append(snaps, &repo.Snapshot{Time: tm, Hostname: "h", Paths: []string{"/p"}})
			}
			for _, p := range []retention.Policy{{Within: d}, {WithinDaily: d}, {WithinHourly: d, Yearly: 1}} {
				checkRestic(t, o, snaps, p)
			}
		})
	}
}

// checkRestic stores snaps in o and compares Plan with restic for p.
func checkRestic(t *testing.T, o *oracle, snaps []*repo.Snapshot, p retention.Policy) {
	t.Helper()
	stored, err := o.replace(snaps)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	groups, failure, err := o.forget(flags(p)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := compare(stored, p, retention.DefaultGroupBy(), now, groups, failure); err != nil {
		t.Errorf("policy %s:\n%v\n%s", p, err, dump(stored))
	}
}

// TestExamplesRestic checks that restic agrees with the hand-checked
// examples of TestApplyExamples.
func TestExamplesRestic(t *testing.T) {
	o := newOracle(t)
	for _, ex := range examples(t) {
		if ex.skipRestic {
			continue
		}
		t.Run(ex.name, func(t *testing.T) { checkRestic(t, o, ex.snaps, ex.p) })
	}
}

// TestGroupKeysRestic compares Group with the groups and group_key JSON
// of "restic snapshots --json --group-by".
func TestGroupKeysRestic(t *testing.T) {
	o := newOracle(t)
	for seed := range uint64(8) {
		stored, err := o.replace(newGenerator(2000+seed, time.Now()).set().snaps)
		if err != nil {
			t.Fatal(err)
		}
		// With --group-by "" restic prints an ungrouped list; forget covers it.
		for _, gb := range []string{"host,paths", "tags", "host,tags", "host,paths,tags", "paths"} {
			out, stderr, err := o.run("snapshots", "--no-lock", "--json", "--group-by", gb)
			if err != nil {
				t.Fatalf("restic snapshots: %v\n%s", err, stderr)
			}
			var rgroups []struct {
				Key       json.RawMessage `json:"group_key"`
				Snapshots []idOnly        `json:"snapshots"`
			}
			if err := json.Unmarshal(out, &rgroups); err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{}
			for _, g := range rgroups {
				want[string(g.Key)] = idsOf(g.Snapshots)
				slices.Sort(want[string(g.Key)])
			}
			by, err := retention.ParseGroupBy(gb)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, g := range retention.Group(stored, by) {
				k, _ := json.Marshal(g.Key)
				got[string(k)] = ids(g.Snapshots)
				slices.Sort(got[string(k)])
			}
			if !maps.EqualFunc(got, want, slices.Equal) {
				t.Errorf("seed %d, group by %q:\n we     %v\n restic %v", seed, gb, got, want)
			}
		}
	}
}
