package repo

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// Filter selects snapshots as restic's --host, --tag and --path flags do.
// The zero Filter matches every snapshot.
type Filter struct {
	// Hosts: the snapshot's hostname equals one of them (empty: any).
	Hosts []string
	// Tags: the snapshot has all tags of at least one list (restic's
	// "--tag a,b --tag c" is [][]string{{"a","b"},{"c"}}). A list holding
	// only "" matches snapshots without tags.
	Tags [][]string
	// Paths: the snapshot's paths contain every one of them, compared
	// exactly as restic does (callers make them absolute).
	Paths []string
}

// ParseTagLists turns restic-style --tag values ("a,b") into tag lists.
func ParseTagLists(values []string) [][]string {
	var out [][]string
	for _, v := range values {
		out = append(out, strings.Split(v, ","))
	}
	return out
}

// Match reports whether s passes the filter.
func (f Filter) Match(s *Snapshot) bool {
	if len(f.Hosts) > 0 && !contains(f.Hosts, s.Hostname) {
		return false
	}
	if len(f.Tags) > 0 {
		ok := false
		for _, l := range f.Tags {
			if s.HasTags(l) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, p := range f.Paths {
		if !contains(s.Paths, p) {
			return false
		}
	}
	return true
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// FindSnapshot resolves "latest", a full ID or a unique ID prefix among
// the snapshots matching f (f applies to "latest" only, as in restic). An
// unknown ID wraps ErrNotFound; an ambiguous prefix is an
// *AmbiguousIDError naming the candidates.
func (r *Repository) FindSnapshot(ctx context.Context, ref string, f Filter) (*Snapshot, error) {
	if ref == "latest" {
		// restic cleans --path values when resolving "latest" (and only
		// then).
		clean := f
		clean.Paths = make([]string, len(f.Paths))
		for i, p := range f.Paths {
			clean.Paths[i] = path.Clean(p)
		}
		snaps, err := r.Snapshots(ctx, clean)
		if err != nil {
			return nil, err
		}
		if len(snaps) == 0 {
			return nil, fmt.Errorf("no snapshot matches the filter: %w", ErrNotFound)
		}
		return snaps[len(snaps)-1], nil
	}
	names, err := r.listNames(ctx, snapshotType)
	if err != nil {
		return nil, err
	}
	name, err := findPrefix(names, ref)
	if err != nil {
		return nil, fmt.Errorf("snapshot %q: %w", ref, err)
	}
	sid, err := ParseID(name)
	if err != nil {
		return nil, err
	}
	return r.LoadSnapshot(ctx, sid)
}

func findPrefix(names []string, prefix string) (string, error) {
	if prefix == "" {
		return "", ErrNotFound
	}
	prefix = strings.ToLower(prefix)
	var hits []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			hits = append(hits, n)
		}
	}
	switch len(hits) {
	case 0:
		return "", ErrNotFound
	case 1:
		return hits[0], nil
	}
	short := make([]string, len(hits))
	for i, h := range hits {
		short[i] = h[:min(len(h), max(len(prefix)+4, 8))]
	}
	return "", &AmbiguousIDError{Prefix: prefix, Candidates: short}
}
