package restorer

import "testing"

func TestMatcher(t *testing.T) {
	for _, tc := range []struct {
		pattern          string
		path             string
		selected, enters bool
	}{
		{"/srv/a", "/srv", false, true},
		{"/srv/a", "/srv/a", true, true},
		{"/srv/a", "/srv/ab", false, false},
		{"/srv/a", "/other", false, false},
		{"/srv/a/", "/srv/a", true, true},
		{"/srv/*", "/srv/x", true, true},
		{"/srv/*/f", "/srv/x", false, true},
		{"/srv/*/f", "/srv/x/f", true, true},
		{"/srv/*/f", "/srv/x/g", false, false},
		{"/**/f", "/a/b/c", false, true},
		{"/**/f", "/a/b/f", true, true},
		{"/**/f", "/f", true, true},
		{"/a/**", "/a/b/c", true, true},
		{"/a/**", "/b", false, false},
		{"f", "/a/b/f", true, true},
		{"f", "/a/b/g", false, true},
		{"b/f", "/a/b/f", true, true},
		{"b/f", "/a/c/f", false, true},
		{"*.sql", "/db/dump.sql", true, true},
		{"/", "/anything", true, true},
		{"/db/[a-c]?", "/db/b1", true, true},
		{"/db/[a-c]?", "/db/d1", false, false},
	} {
		m, err := newMatcher([]string{tc.pattern})
		if err != nil {
			t.Fatalf("%q: %v", tc.pattern, err)
		}
		selected, enters := m.match(tc.path)
		if selected != tc.selected || enters != tc.enters {
			t.Errorf("pattern %q, path %q: selected %v enters %v; want %v %v", tc.pattern, tc.path, selected, enters, tc.selected, tc.enters)
		}
	}
	for _, bad := range []string{"", "[", "/a/[b"} {
		if _, err := newMatcher([]string{bad}); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
	var all *matcher
	if s, e := all.match("/x"); !s || !e {
		t.Error("nil matcher does not select everything")
	}
}
