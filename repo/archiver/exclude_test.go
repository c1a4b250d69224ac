package archiver

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestExcluded checks pattern semantics that were verified against restic
// 0.18.1 --exclude on the same paths.
func TestExcluded(t *testing.T) {
	const p = "/tmp/x/w/a/data/d/h"
	for _, tc := range []struct {
		patterns []string
		path     string
		want     bool
	}{
		{nil, p, false},
		{[]string{"h"}, p, true},
		{[]string{"d"}, p, true}, // a parent directory matches: its contents go too
		{[]string{"x"}, p, true}, // a run of components anywhere, even near the root
		{[]string{"w/a"}, p, true},
		{[]string{"a/data/d"}, p, true},
		{[]string{"data/h"}, p, false},
		{[]string{"/tmp/x/w/a"}, p, true},
		{[]string{"/x/w"}, p, false}, // anchored at the root
		{[]string{"/tmp/*/d"}, p, false},
		{[]string{"/tmp/*/w"}, p, true},
		{[]string{"/tmp/**/h"}, p, true},
		{[]string{"/**/h"}, p, true},
		{[]string{"**"}, p, true},
		{[]string{"a/**"}, p, true},
		{[]string{"w/**/d/h"}, p, true},
		{[]string{"w/**/x"}, p, false},
		{[]string{"**/d/*"}, p, true},
		{[]string{"*.txt"}, "/a/b.txt", true},
		{[]string{"*.txt"}, "/a/b.txt2", false},
		{[]string{"[fg]*"}, "/a/g1", true},
		{[]string{"d/"}, "/a/d", true}, // cleaned: also matches files
		{[]string{"h", "!h"}, p, false},
		{[]string{"!h", "h"}, p, true},
		{[]string{"d", "!d/h"}, "/a/d", true},
		{[]string{"*", "!/a/keep"}, "/a/keep", false},
		{[]string{"*", "!/a/keep"}, "/a/other", true},
		{[]string{""}, p, false},
		{[]string{"x"}, "/", false},
	} {
		ex, err := newExcluder(tc.patterns)
		if err != nil {
			t.Fatalf("%q: %v", tc.patterns, err)
		}
		if got := ex.excluded(tc.path); got != tc.want {
			t.Errorf("excluded(%q) with %q = %v, want %v", tc.path, tc.patterns, got, tc.want)
		}
	}
}

func TestExcludeBadPattern(t *testing.T) {
	if _, err := newExcluder([]string{"a/[x"}); !errors.Is(err, filepath.ErrBadPattern) {
		t.Fatalf("got %v, want ErrBadPattern", err)
	}
}
