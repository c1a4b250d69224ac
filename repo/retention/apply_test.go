package retention_test

import (
	"slices"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// kept is an expected kept snapshot: its index in the input and reasons.
type kept struct {
	i       int
	matches []string
}

func each(reason string, idx ...int) []kept {
	out := make([]kept, len(idx))
	for j, i := range idx {
		out[j] = kept{i, []string{reason}}
	}
	return out
}

func mustDuration(t testing.TB, s string) retention.Duration {
	t.Helper()
	d, err := retention.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// example is a hand-checked case: Apply(snaps, p, now) keeps want.
// TestExamplesRestic checks the same cases against restic, except those
// marked skipRestic.
type example struct {
	name       string
	snaps      []*repo.Snapshot
	p          retention.Policy
	now        time.Time
	want       []kept
	skipRestic bool // depends on now or on the order of ties, which restic does not fix
}

func TestApplyExamples(t *testing.T) {
	for _, ex := range examples(t) {
		t.Run(ex.name, func(t *testing.T) {
			keep, remove, reasons := retention.Apply(ex.snaps, ex.p, ex.now)
			var got []kept
			for j, s := range keep {
				if reasons[j].Snapshot != s {
					t.Fatalf("reason %d is for another snapshot", j)
				}
				got = append(got, kept{slices.Index(ex.snaps, s), reasons[j].Matches})
			}
			if !slices.EqualFunc(got, ex.want, func(a, b kept) bool { return a.i == b.i && slices.Equal(a.matches, b.matches) }) {
				t.Errorf("policy %s:\n got  %v\n want %v", ex.p, got, ex.want)
			}
			if len(keep)+len(remove) != len(ex.snaps) {
				t.Errorf("keep %d + remove %d != %d snapshots", len(keep), len(remove), len(ex.snaps))
			}
			for _, l := range [][]*repo.Snapshot{keep, remove} {
				if !slices.IsSortedFunc(l, func(a, b *repo.Snapshot) int { return b.Time.Compare(a.Time) }) {
					t.Errorf("not newest first: %v", l)
				}
			}
		})
	}
}

// examples returns the hand-checked cases, with fresh snapshots.
func examples(t testing.TB) []example {
	var out []example
	add := func(name string, snaps []*repo.Snapshot, p retention.Policy, want []kept) {
		out = append(out, example{name: name, snaps: snaps, p: p, now: fixtureNow, want: want})
	}
	d := func(s string) retention.Duration { return mustDuration(t, s) }

	// The fixture list (see fixture_test.go for the weeks).
	fx := func() []*repo.Snapshot { return fixture(t) }
	add("daily 3", fx(), retention.Policy{Daily: 3}, each("daily snapshot", 0, 1, 3))
	add("weekly 3", fx(), retention.Policy{Weekly: 3}, each("weekly snapshot", 0, 1, 4))
	add("weekly unlimited", fx(), retention.Policy{Weekly: retention.Unlimited}, each("weekly snapshot", 0, 1, 4, 5, 6, 8, 9, 10, 11, 12))
	add("monthly 4", fx(), retention.Policy{Monthly: 4}, each("monthly snapshot", 0, 5, 6, 7))
	add("monthly unlimited", fx(), retention.Policy{Monthly: retention.Unlimited}, each("monthly snapshot", 0, 5, 6, 7, 9, 11, 12))
	add("yearly 10", fx(), retention.Policy{Yearly: 10}, append(each("yearly snapshot", 0, 7, 11), kept{12, []string{"oldest yearly snapshot"}}))
	add("yearly 3", fx(), retention.Policy{Yearly: 3}, each("yearly snapshot", 0, 7, 11))
	add("last 2", fx(), retention.Policy{Last: 2}, each("last snapshot", 0, 1))
	add("hourly 3", fx(), retention.Policy{Hourly: 3}, each("hourly snapshot", 0, 1, 2))
	add("within 1m", fx(), retention.Policy{Within: d("1m")}, each("within 1m", 0, 1, 2, 3, 4, 5))
	add("within 2d", fx(), retention.Policy{Within: d("2d")}, each("within 2d", 0, 1, 2))
	add("within daily 8d", fx(), retention.Policy{WithinDaily: d("8d")}, each("daily within 8d", 0, 1, 3, 4))
	add("within monthly 3m", fx(), retention.Policy{WithinMonthly: d("3m")}, each("monthly within 3m", 0, 5, 6, 7))
	add("within yearly 2y", fx(), retention.Policy{WithinYearly: d("2y")}, append(each("yearly within 2y", 0, 7, 11), kept{12, []string{"oldest yearly within 2y"}}))
	add("tag", fx(), retention.Policy{Tags: [][]string{{"weekly"}}}, each("has tags [weekly]", 5, 9))
	add("tags", fx(), retention.Policy{Tags: [][]string{{"db", "weekly"}}}, each("has tags [db, weekly]", 5))
	add("mixed", fx(), retention.Policy{Daily: 2, Monthly: 2, Tags: [][]string{{"weekly"}}}, []kept{
		{0, []string{"daily snapshot", "monthly snapshot"}},
		{1, []string{"daily snapshot"}},
		{5, []string{"has tags [weekly]", "monthly snapshot"}},
		{9, []string{"has tags [weekly]"}},
	})
	add("reason order", fx(), retention.Policy{Last: 1, Weekly: 2, Yearly: 1, Within: d("12h"), WithinYearly: d("1h")}, []kept{
		{0, []string{"within 12h", "last snapshot", "weekly snapshot", "yearly snapshot", "yearly within 1h"}},
		{1, []string{"within 12h", "weekly snapshot"}},
	})

	// 2021-01-03 (Sunday) is in ISO week 2020-W53, like 2020-12-31.
	add("ISO week across years", []*repo.Snapshot{
		snap(t, "2021-01-04T10:00:00Z"), // 2021-W01
		snap(t, "2021-01-03T10:00:00Z"), // 2020-W53
		snap(t, "2020-12-31T10:00:00Z"), // 2020-W53
		snap(t, "2020-12-01T10:00:00Z"), // 2020-W49
		snap(t, "2020-11-01T10:00:00Z"),
	}, retention.Policy{Weekly: 3}, each("weekly snapshot", 0, 1, 3))

	// The first two fall on the same UTC day (May 1), but the second is
	// May 2 in its own offset: different daily buckets.
	add("own offset daily", []*repo.Snapshot{
		snap(t, "2024-05-01T23:30:00Z"),
		snap(t, "2024-05-02T08:00:00+09:00"), // 2024-05-01T23:00Z
		snap(t, "2024-04-20T10:00:00Z"),
	}, retention.Policy{Daily: 2}, each("daily snapshot", 0, 1))
	// Sunday evening in New York is Monday in UTC, but still 2024-W52.
	add("own offset weekly", []*repo.Snapshot{
		snap(t, "2024-12-30T12:00:00Z"),      // Monday, 2025-W01
		snap(t, "2024-12-29T20:00:00-05:00"), // Sunday, 2024-W52
		snap(t, "2024-12-20T10:00:00Z"),
	}, retention.Policy{Weekly: 2}, each("weekly snapshot", 0, 1))

	// While the count lasts, the oldest snapshot is kept although its day
	// already has a newer one; in a bucket of its own it is an ordinary
	// match; within-bucket rules keep it only if it is within.
	oldest := func() []*repo.Snapshot {
		return []*repo.Snapshot{
			snap(t, "2024-06-03T10:00:00Z"),
			snap(t, "2024-06-02T12:00:00Z"),
			snap(t, "2024-06-02T08:00:00Z"),
		}
	}
	add("oldest kept", oldest(), retention.Policy{Daily: 5}, append(each("daily snapshot", 0, 1), kept{2, []string{"oldest daily snapshot"}}))
	add("oldest count used up", oldest(), retention.Policy{Daily: 2}, each("daily snapshot", 0, 1))
	add("oldest own bucket", oldest(), retention.Policy{Last: 5}, each("last snapshot", 0, 1, 2))
	add("oldest within", oldest(), retention.Policy{WithinDaily: d("1d3h")}, append(each("daily within 1d3h", 0, 1), kept{2, []string{"oldest daily within 1d3h"}}))
	add("oldest not within", oldest(), retention.Policy{WithinDaily: d("26h")}, each("daily within 26h", 0, 1))

	add("within is strict", []*repo.Snapshot{
		snap(t, "2024-06-11T10:00:00Z"),
		snap(t, "2024-06-01T10:00:01Z"),
		snap(t, "2024-06-01T10:00:00Z"), // exactly 10 days older
	}, retention.Policy{Within: d("10d")}, each("within 10d", 0, 1))

	tagged := func() []*repo.Snapshot {
		return []*repo.Snapshot{
			snap(t, "2024-06-04T10:00:00Z", "a", "b"),
			snap(t, "2024-06-03T10:00:00Z", "a"),
			snap(t, "2024-06-02T10:00:00Z"),
			snap(t, "2024-06-01T10:00:00Z", "c"),
		}
	}
	add("tag lists", tagged(), retention.Policy{Tags: [][]string{{"b", "a"}, {"a"}}}, []kept{
		{0, []string{"has tags [b, a]", "has tags [a]"}},
		{1, []string{"has tags [a]"}},
	})
	// An empty tag matches a snapshot without tags when it is reached.
	add("empty tag", tagged(), retention.Policy{Tags: [][]string{{""}}}, each("has tags []", 2))
	add("empty tag first", tagged(), retention.Policy{Tags: [][]string{{"", "a"}}}, each("has tags [, a]", 2))
	add("empty tag last", tagged(), retention.Policy{Tags: [][]string{{"a", ""}, {"c"}}}, each("has tags [c]", 3))

	// Cases that depend on now.
	now := time.Date(2024, 6, 10, 12, 0, 0, 0, time.UTC)
	future := []*repo.Snapshot{
		snap(t, "2024-07-01T00:00:00Z"), // in the future
		snap(t, "2024-06-09T12:00:00Z"), // the reference
		snap(t, "2024-06-07T12:00:00Z"), // exactly 2 days older
	}
	out = append(out,
		example{name: "future", snaps: future, p: retention.Policy{Within: d("2d")}, now: now, want: each("within 2d", 0, 1), skipRestic: true},
		example{name: "all future", snaps: future[:1], p: retention.Policy{Within: d("1h")}, now: now, want: each("within 1h", 0), skipRestic: true},
	)

	// Equal times (the same instant in two offsets) keep input order.
	a, b := snap(t, "2024-06-01T10:00:00Z", "a"), snap(t, "2024-06-01T19:00:00+09:00", "b")
	out = append(out,
		example{name: "tie ab", snaps: []*repo.Snapshot{a, b}, p: retention.Policy{Last: 1}, now: fixtureNow, want: each("last snapshot", 0), skipRestic: true},
		example{name: "tie ba", snaps: []*repo.Snapshot{b, a}, p: retention.Policy{Last: 1}, now: fixtureNow, want: each("last snapshot", 0), skipRestic: true},
	)
	return out
}

func TestApplyEmptyPolicyKeepsAll(t *testing.T) {
	snaps := fixture(t)[:3]
	keep, remove, reasons := retention.Apply(snaps, retention.Policy{}, fixtureNow)
	if len(keep) != 3 || len(remove) != 0 || len(reasons) != 3 {
		t.Fatalf("keep %d remove %d reasons %d", len(keep), len(remove), len(reasons))
	}
}
