package redact

import (
	"strings"
	"testing"
)

// BenchmarkRedact measures a typical stderr line and a pathological one
// (a 64 KiB run of a repeated secret character).
func BenchmarkRedact(b *testing.B) {
	var r Redactor
	r.Add("hunter2-pw", "AKIAEXAMPLE", "aaa")
	for name, in := range map[string]string{
		"line":  `pg_dump: error: connection to server at "db" (10.0.0.2), port 5432 failed: FATAL:  password authentication failed for user "app" password=hunter2-pw`,
		"worst": strings.Repeat("a", 64<<10),
		"keys":  strings.Repeat("password=x token:y ", 4<<10),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				r.Redact(in)
			}
		})
	}
}
