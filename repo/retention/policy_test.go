package retention_test

import (
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/retention"
)

func TestPolicyEmptyAndValidate(t *testing.T) {
	if !(retention.Policy{}).Empty() {
		t.Error("zero policy is not empty")
	}
	for _, p := range []retention.Policy{
		{Last: 1}, {Yearly: retention.Unlimited}, {Within: retention.Duration{Hours: 1}},
		{WithinMonthly: retention.Duration{Days: 1}}, {Tags: [][]string{{"a"}}},
	} {
		if p.Empty() {
			t.Errorf("%+v is empty", p)
		}
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, p := range []retention.Policy{
		{Daily: -2}, {Last: -5}, {Within: retention.Duration{Days: -1}}, {WithinHourly: retention.Duration{Hours: -1}},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}

// The expected strings are restic 0.18.1's "Applying Policy:" lines;
// TestPolicyStringRestic checks random policies against restic itself.
func TestPolicyString(t *testing.T) {
	d := func(s string) retention.Duration { return mustDuration(t, s) }
	cases := []struct {
		p    retention.Policy
		want string
	}{
		{retention.Policy{}, "remove"},
		{retention.Policy{Last: 1}, "keep 1 latest snapshots"},
		{retention.Policy{Hourly: 1, Yearly: retention.Unlimited}, "keep 1 hourly, all yearly snapshots"},
		{retention.Policy{Within: d("1d")}, "keep all snapshots within 1d of the newest"},
		{retention.Policy{WithinHourly: d("1d"), WithinWeekly: d("2h")}, "keep hourly snapshots within 1d, weekly snapshots within 2h"},
		{retention.Policy{Tags: [][]string{{"a"}}, Last: 3}, "keep 3 latest snapshots and all snapshots with tags [[a]]"},
		{retention.Policy{Tags: [][]string{{"x"}}, Within: d("1d")}, "keep all snapshots with tags [[x]] and all snapshots within 1d of the newest"},
		{retention.Policy{Tags: [][]string{{""}}}, "keep all snapshots with tags [[]]"},
		{retention.Policy{Last: retention.Unlimited, Daily: 3, Within: d("1y2d"), WithinDaily: d("3h"), Tags: [][]string{{"a", "b"}, {"c"}}},
			"keep all latest, 3 daily snapshots, daily snapshots within 3h and all snapshots with tags [[a, b] [c]] and all snapshots within 1y2d of the newest"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("got  %q\nwant %q", got, c.want)
		}
	}
}

// TestPolicyStringRestic compares Policy.String with the "Applying
// Policy:" line restic prints for random policies.
func TestPolicyStringRestic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs restic")
	}
	o := newOracle(t)
	if _, err := o.replace(fixture(t)); err != nil {
		t.Fatal(err)
	}
	for seed := range uint64(30) {
		p := newGenerator(1000+seed, fixtureNow).policy()
		if p.Empty() {
			continue
		}
		out, stderr, err := o.run(append([]string{"forget", "--dry-run", "--no-lock", "--group-by", ""}, flags(p)...)...)
		first, _, _ := strings.Cut(string(out), "\n")
		if got := "Applying Policy: " + p.String(); got != first {
			t.Errorf("we     %q\nrestic %q (%v %s)", got, first, err, stderr)
		}
	}
}
