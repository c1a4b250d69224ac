package cli

import (
	"errors"
	"testing"
)

func TestListFilter(t *testing.T) {
	paths := []string{"/src", "/src/a.txt", "/src/sub", "/src/sub/b", "/src/sub/deep", "/src/sub/deep/c", "/other"}
	for _, tc := range []struct {
		name      string
		dirs      []string
		recursive bool
		match     []string
		descend   []string // of the directories /src, /src/sub, /src/sub/deep, /other
	}{
		{"all", nil, false, paths, []string{"/src", "/src/sub", "/src/sub/deep", "/other"}},
		{"root", []string{"/"}, false, []string{"/src", "/other"}, nil},
		{"root recursive", []string{"/"}, true, paths, []string{"/src", "/src/sub", "/src/sub/deep", "/other"}},
		{"dir", []string{"/src/sub/"}, false, []string{"/src/sub", "/src/sub/b", "/src/sub/deep"}, []string{"/src", "/src/sub"}},
		{"recursive", []string{"/src/sub"}, true, []string{"/src/sub", "/src/sub/b", "/src/sub/deep", "/src/sub/deep/c"}, []string{"/src", "/src/sub", "/src/sub/deep"}},
		{"file", []string{"/src/a.txt"}, false, []string{"/src/a.txt"}, []string{"/src"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewListFilter(tc.dirs, tc.recursive)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range paths {
				if f.Match(p) {
					got = append(got, p)
				}
			}
			if !equal(got, tc.match) {
				t.Errorf("Match: got %v, want %v", got, tc.match)
			}
			got = nil
			for _, p := range []string{"/src", "/src/sub", "/src/sub/deep", "/other"} {
				if f.Descend(p) {
					got = append(got, p)
				}
			}
			if !equal(got, tc.descend) {
				t.Errorf("Descend: got %v, want %v", got, tc.descend)
			}
		})
	}
	if _, err := NewListFilter([]string{"src"}, false); !errors.Is(err, ErrRelativeFilter) {
		t.Errorf("relative filter: %v", err)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
