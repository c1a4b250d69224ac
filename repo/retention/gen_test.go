package retention_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// zones are the UTC offsets generated snapshots are stored with.
var zones = []*time.Location{
	time.UTC,
	time.FixedZone("", 9*3600),
	time.FixedZone("", -5*3600),
	time.FixedZone("", 5*3600+1800),
	time.FixedZone("", 3600),
	time.FixedZone("", -8*3600),
}

// genSet is one generated test case: snapshots, a policy and the
// groupings to try it with.
type genSet struct {
	snaps    []*repo.Snapshot
	policy   retention.Policy
	groupBys []string // --group-by values; "-" means the flag is left out
}

// generator makes random but reproducible test cases.
type generator struct {
	rng *rand.Rand
	now time.Time
}

func newGenerator(seed uint64, now time.Time) *generator {
	return &generator{rng: rand.New(rand.NewPCG(seed, 0x7265746e)), now: now}
}

var (
	genStart = time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)
	genEnd   = time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
)

func (g *generator) pick(n int) int { return g.rng.IntN(n) }

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// set generates one test case.
func (g *generator) set() genSet {
	var times []time.Time
	n := 1 + g.pick(50)
	if g.chance(0.1) {
		n = 1 + g.pick(3)
	}
	centers := []time.Time{g.uniform(), g.uniform(), g.uniform()}
	ties := 0
	for len(times) < n {
		var t time.Time
		switch r := g.rng.Float64(); {
		case r < 0.3:
			t = g.uniform()
		case r < 0.7:
			c := centers[g.pick(len(centers))]
			t = c.Add(time.Duration(g.rng.Int64N(int64(20*24*time.Hour))) - 10*24*time.Hour).Truncate(time.Minute)
		case r < 0.85:
			t = g.boundary()
		default:
			if len(times) == 0 || ties >= 4 {
				continue
			}
			ties++
			t = times[g.pick(len(times))]
		}
		times = append(times, t.In(zones[g.pick(len(zones))]))
	}
	if g.chance(0.1) {
		for range 1 + g.pick(3) {
			times = append(times, g.now.Add(2*time.Hour+time.Duration(g.rng.Int64N(int64(400*24*time.Hour)))).Truncate(time.Second).In(zones[g.pick(len(zones))]))
		}
	}
	if g.chance(0.2) {
		// Put the newest past snapshot at the end of a month, where
		// calendar subtraction normalises days.
		i := newestPast(times, g.now)
		t := times[i]
		y, m, _ := t.Date()
		last := time.Date(y, m+1, 0, t.Hour(), t.Minute(), 0, 0, t.Location())
		d := last.Day() - g.pick(4)
		times[i] = time.Date(y, m, d, t.Hour(), t.Minute(), 0, 0, t.Location())
	}
	p := g.policy()
	if g.chance(0.5) {
		times = g.boundarySnapshots(times, p)
	}
	snaps := g.snapshots(times)
	groupBys := []string{"-"}
	variants := []string{"", "host", "paths", "tags", "host,tags", "host,paths,tags", "path,tag"}
	groupBys = append(groupBys, variants[g.pick(len(variants))])
	return genSet{snaps: snaps, policy: p, groupBys: groupBys}
}

func (g *generator) uniform() time.Time {
	return genStart.Add(time.Duration(g.rng.Int64N(int64(genEnd.Sub(genStart))))).Truncate(time.Second)
}

// boundary returns a time a few hours around the start of a year, a month
// or an ISO week (in UTC), where UTC offsets change the calendar bucket.
func (g *generator) boundary() time.Time {
	t := g.uniform()
	var b time.Time
	switch g.pick(3) {
	case 0:
		b = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case 1:
		b = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	default:
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		b = d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // Monday
	}
	return b.Add(time.Duration(g.rng.Int64N(int64(28*time.Hour))) - 14*time.Hour).Truncate(time.Minute)
}

// newestPast returns the index of the newest time not after now, or of
// the oldest time if all are in the future.
func newestPast(times []time.Time, now time.Time) int {
	best, oldest := -1, 0
	for i, t := range times {
		if !t.After(now) && (best < 0 || t.After(times[best])) {
			best = i
		}
		if t.Before(times[oldest]) {
			oldest = i
		}
	}
	if best < 0 {
		return oldest
	}
	return best
}

// boundarySnapshots adds snapshots exactly at, and one second around, the
// start of one of p's within periods, to check that "within" is strict.
func (g *generator) boundarySnapshots(times []time.Time, p retention.Policy) []time.Time {
	var ds []retention.Duration
	for _, d := range []retention.Duration{p.Within, p.WithinHourly, p.WithinDaily, p.WithinWeekly, p.WithinMonthly, p.WithinYearly} {
		if !d.IsZero() {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return times
	}
	latest := times[newestPast(times, g.now)]
	if latest.After(g.now) {
		return times
	}
	b := ds[g.pick(len(ds))].Before(latest)
	for _, off := range []time.Duration{-time.Second, 0, time.Second} {
		if g.chance(0.7) {
			times = append(times, b.Add(off).In(zones[g.pick(len(zones))]))
		}
	}
	return times
}

// snapshots turns times into snapshots with random hosts, paths and tags,
// skipping times too close to now to say whether they are in the future.
func (g *generator) snapshots(times []time.Time) []*repo.Snapshot {
	hosts := []string{"h1", "h2", "h3"}[:1+g.pick(3)]
	pathSets := [][]string{{"/data"}, {"/srv/b", "/srv/a"}}[:1+g.pick(2)]
	tagSets := [][]string{nil, nil, {"a"}, {"b"}, {"a", "b"}, {"b", "a"}, {"c"}, {"a", "c"}}
	var snaps []*repo.Snapshot
	for _, t := range times {
		if d := t.Sub(g.now); d > -time.Hour && d < time.Hour {
			continue
		}
		snaps = append(snaps, &repo.Snapshot{
			Time:     t,
			Hostname: hosts[g.pick(len(hosts))],
			Paths:    slices.Clone(pathSets[g.pick(len(pathSets))]),
			Tags:     slices.Clone(tagSets[g.pick(len(tagSets))]),
			Username: "root",
		})
	}
	return snaps
}

// policy generates a policy: sometimes a single rule, sometimes a random
// mix; now and then an empty one.
func (g *generator) policy() retention.Policy {
	var p retention.Policy
	counts := []*int{&p.Last, &p.Hourly, &p.Daily, &p.Weekly, &p.Monthly, &p.Yearly}
	durs := []*retention.Duration{&p.Within, &p.WithinHourly, &p.WithinDaily, &p.WithinWeekly, &p.WithinMonthly, &p.WithinYearly}
	switch r := g.rng.Float64(); {
	case r < 0.03:
		return p
	case r < 0.35:
		switch k := g.pick(13); {
		case k < 6:
			*counts[k] = g.count()
		case k < 12:
			*durs[k-6] = g.duration()
		default:
			p.Tags = g.tags()
		}
	default:
		for _, c := range counts {
			if g.chance(0.25) {
				*c = g.count()
			}
		}
		for _, d := range durs {
			if g.chance(0.2) {
				*d = g.duration()
			}
		}
		if g.chance(0.2) {
			p.Tags = g.tags()
		}
		if p.Empty() {
			p.Daily = g.count()
		}
	}
	return p
}

func (g *generator) count() int {
	values := []int{retention.Unlimited, 1, 1, 2, 3, 4, 5, 7, 10, 30}
	return values[g.pick(len(values))]
}

func (g *generator) duration() retention.Duration {
	var d retention.Duration
	for d.IsZero() {
		if g.chance(0.3) {
			d.Years = 1 + g.pick(3)
		}
		if g.chance(0.4) {
			d.Months = 1 + g.pick(14)
		}
		if g.chance(0.4) {
			d.Days = 1 + g.pick(60)
		}
		if g.chance(0.3) {
			d.Hours = 1 + g.pick(72)
		}
	}
	return d
}

func (g *generator) tags() [][]string {
	lists := [][]string{{"a"}, {"b"}, {"a", "b"}, {"c"}, {""}, {"b", "zz"}, {"c", "a"}}
	var out [][]string
	for range 1 + g.pick(2) {
		out = append(out, lists[g.pick(len(lists))])
	}
	return out
}

// flags returns restic's forget flags for p.
func flags(p retention.Policy) []string {
	var args []string
	for _, c := range []struct {
		flag string
		n    int
	}{{"--keep-last", p.Last}, {"--keep-hourly", p.Hourly}, {"--keep-daily", p.Daily}, {"--keep-weekly", p.Weekly}, {"--keep-monthly", p.Monthly}, {"--keep-yearly", p.Yearly}} {
		switch {
		case c.n == retention.Unlimited:
			args = append(args, c.flag, "unlimited")
		case c.n != 0:
			args = append(args, c.flag, strconv.Itoa(c.n))
		}
	}
	for _, d := range []struct {
		flag string
		d    retention.Duration
	}{{"--keep-within", p.Within}, {"--keep-within-hourly", p.WithinHourly}, {"--keep-within-daily", p.WithinDaily}, {"--keep-within-weekly", p.WithinWeekly}, {"--keep-within-monthly", p.WithinMonthly}, {"--keep-within-yearly", p.WithinYearly}} {
		if !d.d.IsZero() {
			args = append(args, d.flag, d.d.String())
		}
	}
	for _, l := range p.Tags {
		args = append(args, "--keep-tag", strings.Join(l, ","))
	}
	return args
}
