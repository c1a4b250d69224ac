package archiver

import (
	"fmt"
	"path/filepath"
	"strings"
)

// pattern is one parsed exclude pattern.
type pattern struct {
	parts    []string // path components: globs or "**"
	anchored bool     // started with "/": match from the root only
	negate   bool     // started with "!": re-include
}

// excluder decides which absolute paths the exclude patterns select.
type excluder []pattern

// newExcluder parses restic --exclude patterns. Empty patterns are
// ignored; a malformed glob is an error wrapping filepath.ErrBadPattern.
func newExcluder(patterns []string) (excluder, error) {
	var ex excluder
	for _, s := range patterns {
		var p pattern
		if strings.HasPrefix(s, "!") {
			p.negate, s = true, s[1:]
		}
		if strings.TrimSpace(s) == "" {
			continue
		}
		s = filepath.Clean(s)
		p.anchored = strings.HasPrefix(s, "/")
		for _, part := range strings.Split(strings.TrimPrefix(s, "/"), "/") {
			if part == "" {
				continue
			}
			if _, err := filepath.Match(part, ""); err != nil {
				return nil, fmt.Errorf("exclude pattern %q: %w", s, err)
			}
			p.parts = append(p.parts, part)
		}
		ex = append(ex, p)
	}
	return ex, nil
}

// excluded reports whether the absolute path abs is excluded: the last
// pattern that matches it decides.
func (ex excluder) excluded(abs string) bool {
	if len(ex) == 0 {
		return false
	}
	comps := strings.Split(strings.Trim(abs, "/"), "/")
	if abs == "/" {
		comps = nil
	}
	out := false
	for _, p := range ex {
		if out == !p.negate {
			continue // cannot change the outcome
		}
		if p.match(comps) {
			out = !p.negate
		}
	}
	return out
}

// match reports whether p matches a run of components of comps that starts
// at the root (anchored) or anywhere (otherwise); whatever follows the run
// does not matter, so a pattern matching a directory matches its contents.
func (p pattern) match(comps []string) bool {
	if p.anchored {
		return matchPrefix(p.parts, comps)
	}
	for off := range comps {
		if matchPrefix(p.parts, comps[off:]) {
			return true
		}
	}
	return false
}

// matchPrefix reports whether parts match the first components of comps.
func matchPrefix(parts, comps []string) bool {
	for i, part := range parts {
		if part == "**" {
			for skip := 0; skip <= len(comps)-i; skip++ {
				if matchPrefix(parts[i+1:], comps[i+skip:]) {
					return true
				}
			}
			return false
		}
		if i >= len(comps) {
			return false
		}
		if part != comps[i] {
			if ok, _ := filepath.Match(part, comps[i]); !ok {
				return false
			}
		}
	}
	return true
}
