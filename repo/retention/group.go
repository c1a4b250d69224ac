package retention

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// GroupBy says which snapshot fields split snapshots into groups. The zero
// GroupBy puts all snapshots into one group; DefaultGroupBy is restic's
// default.
type GroupBy struct {
	Host, Paths, Tags bool
}

// DefaultGroupBy returns restic's default grouping, by host and paths
// ("--group-by host,paths").
func DefaultGroupBy() GroupBy { return GroupBy{Host: true, Paths: true} }

// ParseGroupBy parses restic's --group-by syntax: a comma-separated list
// of "host", "paths" and "tags" (the singular forms and "hosts" are
// accepted too, empty items are skipped). The empty string means one
// group for all snapshots. Other words are an error.
func ParseGroupBy(s string) (GroupBy, error) {
	var g GroupBy
	for _, part := range strings.Split(s, ",") {
		switch part {
		case "":
		case "host", "hosts":
			g.Host = true
		case "path", "paths":
			g.Paths = true
		case "tag", "tags":
			g.Tags = true
		default:
			return GroupBy{}, fmt.Errorf("unknown grouping option: %q", part)
		}
	}
	return g, nil
}

// String returns g in ParseGroupBy's syntax, for example "host,paths";
// the zero GroupBy is "".
func (g GroupBy) String() string {
	var parts []string
	if g.Host {
		parts = append(parts, "host")
	}
	if g.Paths {
		parts = append(parts, "paths")
	}
	if g.Tags {
		parts = append(parts, "tags")
	}
	return strings.Join(parts, ",")
}

// GroupKey identifies a group: the values of the grouping fields, with
// paths and tags sorted; fields not grouped by are empty. Its JSON form is
// the "group_key" restic prints with "snapshots --json --group-by".
type GroupKey struct {
	Hostname string   `json:"hostname"`
	Paths    []string `json:"paths"`
	Tags     []string `json:"tags"`
}

// String describes the key as restic does in messages, for example
// "host h1, path [/a /b], tags [x y]"; empty fields are left out.
func (k GroupKey) String() string {
	var parts []string
	if k.Hostname != "" {
		parts = append(parts, "host "+k.Hostname)
	}
	if len(k.Paths) > 0 {
		parts = append(parts, "path "+fmt.Sprint(k.Paths))
	}
	if len(k.Tags) > 0 {
		parts = append(parts, "tags "+fmt.Sprint(k.Tags))
	}
	return strings.Join(parts, ", ")
}

// encode returns the key's JSON, used to tell groups apart.
func (k GroupKey) encode() string {
	b, err := json.Marshal(k)
	if err != nil {
		panic(err) // strings and string slices always marshal
	}
	return string(b)
}

// SnapshotGroup is one group of snapshots, in input order.
type SnapshotGroup struct {
	Key       GroupKey
	Snapshots []*repo.Snapshot
}

// KeyOf returns the key of the group s belongs to under by.
func KeyOf(s *repo.Snapshot, by GroupBy) GroupKey {
	var k GroupKey
	if by.Host {
		k.Hostname = s.Hostname
	}
	if by.Paths {
		k.Paths = sortedCopy(s.Paths)
	}
	if by.Tags {
		k.Tags = sortedCopy(s.Tags)
	}
	return k
}

// sortedCopy returns a sorted copy of l, nil if l is empty.
func sortedCopy(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	c := slices.Clone(l)
	slices.Sort(c)
	return c
}

// Group splits snaps into groups by the fields by selects. Groups are
// ordered by hostname, then paths, then tags; each group keeps the input
// order of its snapshots. No snapshots give no groups.
func Group(snaps []*repo.Snapshot, by GroupBy) []SnapshotGroup {
	index := map[string]int{}
	var groups []SnapshotGroup
	for _, s := range snaps {
		k := KeyOf(s, by)
		enc := k.encode()
		i, ok := index[enc]
		if !ok {
			i = len(groups)
			index[enc] = i
			groups = append(groups, SnapshotGroup{Key: k})
		}
		groups[i].Snapshots = append(groups[i].Snapshots, s)
	}
	slices.SortFunc(groups, func(a, b SnapshotGroup) int { return a.Key.compare(b.Key) })
	return groups
}

// compare orders keys by hostname, then paths, then tags.
func (k GroupKey) compare(o GroupKey) int {
	if c := strings.Compare(k.Hostname, o.Hostname); c != 0 {
		return c
	}
	if c := slices.Compare(k.Paths, o.Paths); c != 0 {
		return c
	}
	return slices.Compare(k.Tags, o.Tags)
}
