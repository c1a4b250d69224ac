package location

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenLocal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "repo")
	for _, loc := range []string{dir, "local:" + dir} {
		be, err := Open(context.Background(), loc)
		if err != nil {
			t.Fatalf("Open(%q): %v", loc, err)
		}
		if be.Location() != dir {
			t.Errorf("Open(%q).Location() = %q, want %q", loc, be.Location(), dir)
		}
	}
}

func TestOpenPathWithColon(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a:b")
	be, err := Open(context.Background(), dir)
	if err != nil || be.Location() != dir {
		t.Fatalf("Open(%q) = %v, %v", dir, be, err)
	}
}

func TestOpenUnsupported(t *testing.T) {
	for _, tc := range []struct{ loc, typ string }{
		{"b2:bucket:path", "b2"},
	} {
		_, err := Open(context.Background(), tc.loc)
		var ue *UnsupportedError
		if !errors.As(err, &ue) || ue.Type != tc.typ {
			t.Errorf("Open(%q) = %v, want UnsupportedError{%s}", tc.loc, err, tc.typ)
			continue
		}
		if want := "repository type " + tc.typ + " is not supported yet"; err.Error() != want {
			t.Errorf("message %q, want %q", err, want)
		}
		if strings.Contains(err.Error(), "supersecret") || strings.Contains(err.Error(), "user") {
			t.Errorf("error leaks the location: %v", err)
		}
	}
}

func TestOpenEmpty(t *testing.T) {
	for _, loc := range []string{"", "local:"} {
		if _, err := Open(context.Background(), loc); !errors.Is(err, ErrEmpty) {
			t.Errorf("Open(%q) = %v, want ErrEmpty", loc, err)
		}
	}
}
