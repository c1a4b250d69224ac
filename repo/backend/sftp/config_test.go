package sftp

import (
	"errors"
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	for _, tc := range []struct {
		loc  string
		want Config
		str  string // String(), if not loc
	}{
		{"sftp:user@host:/srv/repo", Config{User: "user", Host: "host", Path: "/srv/repo"}, ""},
		{"sftp:host:repo", Config{Host: "host", Path: "repo"}, ""},
		{"sftp:host:backups/app/", Config{Host: "host", Path: "backups/app"}, "sftp:host:backups/app"},
		{"sftp:user@host:/srv//a/../repo", Config{User: "user", Host: "host", Path: "/srv/repo"}, "sftp:user@host:/srv/repo"},
		{"sftp:me@corp.example@host:/r", Config{User: "me@corp.example", Host: "host", Path: "/r"}, ""},
		{"sftp:user@host:/path/with@sign:colon", Config{User: "user", Host: "host", Path: "/path/with@sign:colon"}, ""},
		{"sftp:[::1]:/srv/repo", Config{Host: "::1", Path: "/srv/repo"}, ""},
		{"sftp:u@[fe80::1]:repo", Config{User: "u", Host: "fe80::1", Path: "repo"}, ""},
		{"sftp://user@host:2222//srv/repo", Config{User: "user", Host: "host", Port: 2222, Path: "/srv/repo"}, ""},
		{"sftp://user@host/relative/repo", Config{User: "user", Host: "host", Path: "relative/repo"},
			"sftp:user@host:relative/repo"},
		{"sftp://host:2200/repo", Config{Host: "host", Port: 2200, Path: "repo"}, ""},
		{"sftp://[::1]:2222//srv/repo", Config{Host: "::1", Port: 2222, Path: "/srv/repo"}, ""},
		{"sftp://u@host:22//srv", Config{User: "u", Host: "host", Path: "/srv"}, "sftp:u@host:/srv"},
		{"sftp://u@host//srv%20x", Config{User: "u", Host: "host", Path: "/srv x"}, "sftp:u@host:/srv x"},
	} {
		got, err := ParseLocation(tc.loc)
		if err != nil {
			t.Errorf("ParseLocation(%q): %v", tc.loc, err)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseLocation(%q) = %+v, want %+v", tc.loc, got, tc.want)
		}
		str := tc.str
		if str == "" {
			str = tc.loc
		}
		if got.String() != str {
			t.Errorf("ParseLocation(%q).String() = %q, want %q", tc.loc, got.String(), str)
		}
		if again, err := ParseLocation(got.String()); err != nil || again != got {
			t.Errorf("ParseLocation(%q) = %+v, %v; does not round-trip", got.String(), again, err)
		}
	}
}

func TestParseLocationErrors(t *testing.T) {
	for _, loc := range []string{
		"sftp:", "sftp:host", "sftp:host:", "sftp:user@:/path", "sftp:[::1]/path", "sftp:[::1", "s3:host:/path",
		"sftp://host", "sftp://host/", "sftp://user@:22//path", "sftp://host:99999//path", "sftp://host:x//path",
		"sftp://user:hunter2@host//srv/repo", "sftp://user:hunter2@host:%zz//srv",
	} {
		_, err := ParseLocation(loc)
		if !errors.Is(err, ErrInvalidLocation) {
			t.Errorf("ParseLocation(%q) = %v, want ErrInvalidLocation", loc, err)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseLocation(%q): error %q shows the password", loc, err)
		}
	}
}
