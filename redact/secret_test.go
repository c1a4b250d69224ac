package redact

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const hunter = "hunter2-correct-horse"

func TestSecretFormat(t *testing.T) {
	s := NewSecret(hunter)
	type exported struct{ Password Secret }
	type unexported struct{ password Secret }
	cases := []struct {
		format string
		arg    any
	}{
		{"%v", s}, {"%+v", s}, {"%#v", s}, {"%s", s}, {"%q", s}, {"%x", s}, {"%X", s},
		{"%d", s}, {"%10s", s}, {"%-20v|", s}, {"%v", &s}, {"%s", []Secret{s}},
		{"%v", exported{s}}, {"%+v", exported{s}}, {"%#v", exported{s}},
		{"%v", unexported{s}}, {"%+v", unexported{s}}, {"%#v", unexported{s}},
		{"%v", map[string]Secret{"pw": s}}, {"%v", fmt.Errorf("login with %v", s)},
	}
	for _, c := range cases {
		out := fmt.Sprintf(c.format, c.arg)
		if strings.Contains(out, hunter) {
			t.Errorf("Sprintf(%q) = %q leaks the secret", c.format, out)
		}
		if _, ok := c.arg.(unexported); !ok && !strings.Contains(out, Redacted) {
			t.Errorf("Sprintf(%q) = %q, want it to contain %s", c.format, out, Redacted)
		}
	}
	if got := fmt.Sprintf("%q", s); got != `"[REDACTED]"` {
		t.Errorf("%%q = %s", got)
	}
	if got := fmt.Sprintf("[%12s][%-12s]", s, s); got != "[  [REDACTED]][[REDACTED]  ]" {
		t.Errorf("width = %s", got)
	}
	if s.String() != Redacted || s.GoString() != Redacted {
		t.Errorf("String/GoString = %q/%q", s.String(), s.GoString())
	}
}

func TestSecretValue(t *testing.T) {
	s := NewSecret(hunter)
	if s.Reveal() != hunter || s.IsZero() {
		t.Fatalf("Reveal = %q, IsZero = %v", s.Reveal(), s.IsZero())
	}
	var zero Secret
	if !zero.IsZero() || !NewSecret("").IsZero() || zero.Reveal() != "" {
		t.Error("zero secret is not zero")
	}
	if zero.String() != Redacted || fmt.Sprint(zero) != Redacted {
		t.Error("zero secret does not print as [REDACTED]")
	}
	if !s.Equal(NewSecret(hunter)) || s.Equal(zero) || !zero.Equal(NewSecret("")) {
		t.Error("Equal")
	}
}

func TestSecretMarshal(t *testing.T) {
	type config struct {
		Password Secret            `json:"password"`
		Unset    Secret            `json:"unset,omitzero"`
		Ptr      *Secret           `json:"ptr"`
		Keys     map[Secret]string `json:"keys"`
	}
	s := NewSecret(hunter)
	b, err := json.Marshal(config{Password: s, Ptr: &s, Keys: map[Secret]string{s: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"password":"[REDACTED]","ptr":"[REDACTED]","keys":{"[REDACTED]":"x"}}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	type doc struct{ P Secret }
	x, err := xml.Marshal(doc{s})
	if err != nil || strings.Contains(string(x), hunter) || !strings.Contains(string(x), Redacted) {
		t.Errorf("xml = %s, %v", x, err)
	}
	if y, _ := s.MarshalYAML(); y != Redacted {
		t.Errorf("MarshalYAML = %v", y)
	}
	var back config
	if err := json.Unmarshal([]byte(`{"password":"literal"}`), &back); err == nil {
		t.Error("decoding a literal into a Secret succeeded")
	}
}

func TestSecretSlog(t *testing.T) {
	s := NewSecret(hunter)
	for name, newHandler := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(newHandler(&buf))
		log.Info("connect", "password", s, slog.Any("ptr", &s), slog.Group("db", "pw", s))
		log.With("pw", s).Info("again", "cfg", struct{ P Secret }{s})
		if out := buf.String(); strings.Contains(out, hunter) || strings.Count(out, Redacted) != 5 {
			t.Errorf("%s handler output:\n%s", name, out)
		}
	}
}
