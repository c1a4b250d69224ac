package retention

import (
	"fmt"
	"strconv"
	"strings"
)

// Unlimited is the count that keeps every bucket (restic's "unlimited").
const Unlimited = -1

// Policy says which snapshots of a group to keep. The zero Policy is
// empty: it sets no rule (see Plan for what that means).
type Policy struct {
	// Last, Hourly, Daily, Weekly, Monthly and Yearly keep the newest
	// snapshot of that many distinct last/hour/day/ISO-week/month/year
	// buckets. 0 disables the rule, Unlimited (−1) keeps one snapshot per
	// bucket without limit. Other negative values are invalid.
	Last, Hourly, Daily, Weekly, Monthly, Yearly int
	// Within keeps every snapshot strictly newer than the reference time
	// minus Within.
	Within Duration
	// WithinHourly … WithinYearly keep the newest snapshot of each
	// hour/day/week/month/year bucket among the snapshots strictly newer
	// than the reference time minus the duration.
	WithinHourly, WithinDaily, WithinWeekly, WithinMonthly, WithinYearly Duration
	// Tags keeps every snapshot that has all tags of at least one list
	// (restic's "--keep-tag a,b --keep-tag c" is {{"a","b"},{"c"}}). An
	// empty tag in a list matches a snapshot without tags, as in restic.
	Tags [][]string
}

// Empty reports whether p sets no rule at all.
func (p Policy) Empty() bool {
	return p.Last == 0 && p.Hourly == 0 && p.Daily == 0 && p.Weekly == 0 && p.Monthly == 0 && p.Yearly == 0 &&
		p.Within.IsZero() && p.WithinHourly.IsZero() && p.WithinDaily.IsZero() && p.WithinWeekly.IsZero() &&
		p.WithinMonthly.IsZero() && p.WithinYearly.IsZero() && len(p.Tags) == 0
}

// Validate reports counts below Unlimited and durations with negative
// parts. It does not reject an empty policy; Plan does.
func (p Policy) Validate() error {
	for _, c := range p.counts() {
		if c.n < Unlimited {
			return fmt.Errorf("retention: keep %s: negative count %d (only %d, unlimited, is allowed)", c.name, c.n, Unlimited)
		}
	}
	if p.Within.negative() {
		return fmt.Errorf("retention: keep within %s: %w", p.Within, errNegative)
	}
	for _, w := range p.withins() {
		if w.d.negative() {
			return fmt.Errorf("retention: keep %s within %s: %w", w.name, w.d, errNegative)
		}
	}
	return nil
}

// namedCount is one count rule with its bucket name.
type namedCount struct {
	n    int
	name string
}

// namedWithin is one within-bucket rule with its bucket name.
type namedWithin struct {
	d    Duration
	name string
}

// counts lists the count rules in the order restic evaluates them.
func (p Policy) counts() []namedCount {
	return []namedCount{
		{p.Last, "last"}, {p.Hourly, "hourly"}, {p.Daily, "daily"},
		{p.Weekly, "weekly"}, {p.Monthly, "monthly"}, {p.Yearly, "yearly"},
	}
}

// withins lists the within-bucket rules in the order restic evaluates
// them.
func (p Policy) withins() []namedWithin {
	return []namedWithin{
		{p.WithinHourly, "hourly"}, {p.WithinDaily, "daily"}, {p.WithinWeekly, "weekly"},
		{p.WithinMonthly, "monthly"}, {p.WithinYearly, "yearly"},
	}
}

// String describes p in the words of restic's "Applying Policy:" line,
// for example "keep 3 daily, all monthly snapshots and all snapshots
// within 1y of the newest". The empty policy is "remove".
func (p Policy) String() string {
	var list []string
	for _, c := range p.counts() {
		name := c.name
		if name == "last" {
			name = "latest"
		}
		switch {
		case c.n == Unlimited:
			list = append(list, "all "+name)
		case c.n > 0:
			list = append(list, strconv.Itoa(c.n)+" "+name)
		}
	}
	if len(list) > 0 {
		list[len(list)-1] += " snapshots"
	}
	for _, w := range p.withins() {
		if !w.d.IsZero() {
			list = append(list, w.name+" snapshots within "+w.d.String())
		}
	}
	s := strings.Join(list, ", ")
	if len(p.Tags) > 0 {
		if s != "" {
			s += " and "
		}
		s += "all snapshots with tags " + formatTagLists(p.Tags)
	}
	if !p.Within.IsZero() {
		if s != "" {
			s += " and "
		}
		s += "all snapshots within " + p.Within.String() + " of the newest"
	}
	if s == "" {
		return "remove"
	}
	return "keep " + s
}

// formatTagList formats one tag list as restic does: "[a, b]".
func formatTagList(l []string) string { return "[" + strings.Join(l, ", ") + "]" }

// formatTagLists formats tag lists as restic does: "[[a, b] [c]]".
func formatTagLists(ls [][]string) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = formatTagList(l)
	}
	return "[" + strings.Join(parts, " ") + "]"
}
