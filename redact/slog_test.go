package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	const secret = "slog-s3cret"
	var r Redactor
	r.Add(secret)
	type cfg struct{ Repo string }
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(Handler(newHandler(&buf), &r))
		log.Info("dump with "+secret,
			"stderr", "FATAL: auth failed for "+secret,
			"err", errors.New("connect: "+secret),
			"repo", "s3:https://key:aws-pw@host/b",
			"password", "unregistered-pw",
			"bytes", []byte(secret),
			"cfg", cfg{Repo: secret},
			slog.Group("db", "url", "postgres://u:"+secret+"@h/d", "n", 3))
		log.With("ctx", secret).WithGroup("g").Info("x", "v", secret)
		out := buf.String()
		for _, leak := range []string{secret, "aws-pw", "unregistered-pw"} {
			if strings.Contains(out, leak) {
				t.Errorf("%s handler leaks %q:\n%s", name, leak, out)
			}
		}
		if n := strings.Count(out, Redacted); n != 10 {
			t.Errorf("%s handler: %d redactions, want 10:\n%s", name, n, out)
		}
		if !strings.Contains(out, "3") || !strings.Contains(out, "key:") {
			t.Errorf("%s handler lost non-secret values:\n%s", name, out)
		}
	}
}
