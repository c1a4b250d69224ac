package cli

import (
	"strings"
	"testing"
)

func TestRedactorString(t *testing.T) {
	var r Redactor
	r.Add("hunter2")
	r.Add("hunter2-long")
	r.Add("")
	r.Add("x") // too short: would mangle ordinary text
	for _, tc := range []struct{ in, want string }{
		{"password hunter2 leaked", "password [REDACTED] leaked"},
		{"hunter2-long", "[REDACTED]"},
		{"rest:https://user:pa55@host:8000/repo", "rest:https://user:[REDACTED]@host:8000/repo"},
		{"s3:https://key:sec%2Fret@s3.example.com/b", "s3:https://key:[REDACTED]@s3.example.com/b"},
		{"sftp:user@host:/srv/repo", "sftp:user@host:/srv/repo"},
		{"nothing here", "nothing here"},
		{"exit code 1", "exit code 1"},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRedactorWriterSplitWrites(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-pass")
	var out strings.Builder
	w := r.Writer(&out)
	for _, p := range []string{"first s3c", "r3t-pass line\nsecond ", "s3cr3t-pass"} {
		if _, err := w.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "first [REDACTED] line\nsecond [REDACTED]"
	if out.String() != want {
		t.Fatalf("got %q, want %q", out.String(), want)
	}
}
