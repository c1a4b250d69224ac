package rest

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	for _, tc := range []struct {
		loc, url, user, pass, location string
	}{
		{"rest:http://host:8000", "http://host:8000/", "", "", "rest:http://host:8000/"},
		{"rest:http://host:8000/", "http://host:8000/", "", "", "rest:http://host:8000/"},
		{"rest:https://host/repo", "https://host/repo/", "", "", "rest:https://host/repo/"},
		{"rest:https://user:secret@host:8000/a/b/", "https://host:8000/a/b/", "user", "secret",
			"rest:https://user:[REDACTED]@host:8000/a/b/"},
		{"rest:http://user@host/", "http://host/", "user", "", "rest:http://user@host/"},
		{"rest:http://us%40er:p%40ss%3Aw%2Fo@host/r", "http://host/r/", "us@er", "p@ss:w/o",
			"rest:http://us%40er:[REDACTED]@host/r/"},
		{"rest:http://[::1]:8000/r", "http://[::1]:8000/r/", "", "", "rest:http://[::1]:8000/r/"},
	} {
		cfg, err := ParseLocation(tc.loc)
		if err != nil {
			t.Errorf("ParseLocation(%q): %v", tc.loc, err)
			continue
		}
		if cfg.URL.String() != tc.url || cfg.Username != tc.user || cfg.Password.Reveal() != tc.pass {
			t.Errorf("ParseLocation(%q) = %s %q %q, want %s %q %q", tc.loc, cfg.URL, cfg.Username,
				cfg.Password.Reveal(), tc.url, tc.user, tc.pass)
		}
		if cfg.URL.User != nil {
			t.Errorf("ParseLocation(%q): URL keeps user information", tc.loc)
		}
		if got := cfg.Location(); got != tc.location {
			t.Errorf("ParseLocation(%q).Location() = %q, want %q", tc.loc, got, tc.location)
		}
	}
}

func TestParseLocationErrors(t *testing.T) {
	for _, loc := range []string{
		"http://host/",
		"rest:",
		"rest:ftp://user:topsecret@host/",
		"rest:http://user:top%zzsecret@host/",
		"rest:http:///path",
		"rest:http://user:topsecret@host/?x=1",
		"rest:host:8000/path",
	} {
		_, err := ParseLocation(loc)
		if !errors.Is(err, ErrInvalidLocation) {
			t.Errorf("ParseLocation(%q) = %v, want ErrInvalidLocation", loc, err)
			continue
		}
		if strings.Contains(err.Error(), "topsecret") || strings.Contains(err.Error(), "zz") {
			t.Errorf("ParseLocation(%q): error leaks the password: %v", loc, err)
		}
	}
}

// TestApplyEnvironment checks restic 0.18.1's precedence, measured against
// a rest-server: user information in the URL, even a user name alone,
// wins; the variables are read only when the URL has none.
func TestApplyEnvironment(t *testing.T) {
	env := func(name string) (string, bool) {
		switch name {
		case EnvUsername:
			return "envuser", true
		case EnvPassword:
			return "envpass", true
		}
		return "", false
	}
	for _, tc := range []struct{ loc, user, pass string }{
		{"rest:http://host/", "envuser", "envpass"},
		{"rest:http://u:p@host/", "u", "p"},
		{"rest:http://u@host/", "u", ""},
	} {
		cfg, err := ParseLocation(tc.loc)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ApplyEnvironment(env)
		if cfg.Username != tc.user || cfg.Password.Reveal() != tc.pass {
			t.Errorf("%s: %q %q, want %q %q", tc.loc, cfg.Username, cfg.Password.Reveal(), tc.user, tc.pass)
		}
		if strings.Contains(cfg.Location(), "envpass") {
			t.Errorf("%s: Location %q holds the password", tc.loc, cfg.Location())
		}
	}
	cfg, _ := ParseLocation("rest:http://host/")
	cfg.ApplyEnvironment(func(string) (string, bool) { return "", false })
	if cfg.Username != "" || !cfg.Password.IsZero() {
		t.Errorf("without variables: %q %q", cfg.Username, cfg.Password.Reveal())
	}
}
