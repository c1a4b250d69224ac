package restorer

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// matcher selects entries by Options.Include patterns. A nil matcher
// selects everything.
type matcher struct {
	patterns [][]string // path elements; "**" matches any number of them
}

// newMatcher parses include patterns; no patterns gives a nil matcher.
func newMatcher(patterns []string) (*matcher, error) {
	if len(patterns) == 0 {
		return nil, nil
	}
	m := &matcher{}
	for _, p := range patterns {
		if p == "" {
			return nil, errors.New("empty include pattern")
		}
		var parts []string
		if !strings.HasPrefix(p, "/") {
			parts = append(parts, "**")
		}
		for _, e := range strings.Split(path.Clean("/"+p), "/") {
			if e == "" {
				continue
			}
			if _, err := path.Match(e, ""); err != nil {
				return nil, fmt.Errorf("include pattern %q: %w", p, err)
			}
			parts = append(parts, e)
		}
		if len(parts) == 0 {
			parts = []string{"**"} // "/" selects everything
		}
		m.patterns = append(m.patterns, parts)
	}
	return m, nil
}

// match reports whether the entry at the absolute, clean path p is
// selected by a pattern, and whether entries below it may be (so that a
// directory must be entered). Entries below a selected directory are
// selected too; callers pass that down rather than asking.
func (m *matcher) match(p string) (selected, descend bool) {
	if m == nil {
		return true, true
	}
	elems := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, pat := range m.patterns {
		if matchElems(pat, elems) {
			return true, true
		}
		if !descend && prefixMatch(pat, elems) {
			descend = true
		}
	}
	return false, descend
}

// matchElems reports whether pattern pat matches exactly the path
// elements elems.
func matchElems(pat, elems []string) bool {
	if len(pat) == 0 {
		return len(elems) == 0
	}
	if pat[0] == "**" {
		for i := 0; i <= len(elems); i++ {
			if matchElems(pat[1:], elems[i:]) {
				return true
			}
		}
		return false
	}
	if len(elems) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], elems[0])
	return ok && matchElems(pat[1:], elems[1:])
}

// prefixMatch reports whether some path below elems could match pat.
func prefixMatch(pat, elems []string) bool {
	if len(elems) == 0 {
		return len(pat) > 0
	}
	if len(pat) == 0 {
		return false
	}
	if pat[0] == "**" {
		return true
	}
	ok, _ := path.Match(pat[0], elems[0])
	return ok && prefixMatch(pat[1:], elems[1:])
}
