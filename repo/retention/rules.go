package retention

import (
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// rules is the state of a policy while Apply walks a group newest first:
// what is left of each count and the bucket each rule kept last.
type rules struct {
	tags        [][]string
	within      Duration
	withinSince time.Time // valid if !within.IsZero()
	counts      []*countRule
	withins     []*withinRule
}

// countRule is a last/hourly/.../yearly rule: n is what is left of its
// count (Unlimited stays Unlimited), last the bucket it kept last.
type countRule struct {
	n    int
	name string
	last int
}

// withinRule is a within-bucket rule: it considers snapshots strictly
// after since; last is the bucket it kept last.
type withinRule struct {
	d     Duration
	name  string
	since time.Time
	last  int
}

// newRules prepares p's rules for a group whose reference time is latest.
// Bucket numbers are never negative, so −1 means "nothing kept yet".
func newRules(p Policy, latest time.Time) *rules {
	rs := &rules{tags: p.Tags, within: p.Within}
	if !p.Within.IsZero() {
		rs.withinSince = p.Within.Before(latest)
	}
	for _, c := range p.counts() {
		if c.n != 0 {
			rs.counts = append(rs.counts, &countRule{n: c.n, name: c.name, last: -1})
		}
	}
	for _, w := range p.withins() {
		if !w.d.IsZero() {
			rs.withins = append(rs.withins, &withinRule{d: w.d, name: w.name, since: w.d.Before(latest), last: -1})
		}
	}
	return rs
}

// match returns the reasons to keep s, the snapshot at index nr (newest
// first) of its group, oldest telling whether it is the last one, and
// updates the counts and buckets. No reasons means s is removed.
func (rs *rules) match(s *repo.Snapshot, nr int, oldest bool) []string {
	var matches []string
	for _, l := range rs.tags {
		if hasTags(s, l) {
			matches = append(matches, "has tags "+formatTagList(l))
		}
	}
	if !rs.within.IsZero() && s.Time.After(rs.withinSince) {
		matches = append(matches, "within "+rs.within.String())
	}
	for _, c := range rs.counts {
		if c.n == 0 {
			continue
		}
		b := bucket(c.name, s.Time, nr)
		if b == c.last && !oldest {
			continue
		}
		matches = append(matches, oldestPrefix(b == c.last)+c.name+" snapshot")
		c.last = b
		if c.n > 0 {
			c.n--
		}
	}
	for _, w := range rs.withins {
		if !s.Time.After(w.since) {
			continue
		}
		b := bucket(w.name, s.Time, nr)
		if b == w.last && !oldest {
			continue
		}
		matches = append(matches, oldestPrefix(b == w.last)+w.name+" within "+w.d.String())
		w.last = b
	}
	return matches
}

// oldestPrefix returns "oldest " when the oldest snapshot is kept although
// its bucket already has a newer snapshot.
func oldestPrefix(sameBucket bool) string {
	if sameBucket {
		return "oldest "
	}
	return ""
}
