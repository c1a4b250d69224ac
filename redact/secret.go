package redact

import (
	"crypto/subtle"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
)

// Redacted is what a secret prints as.
const Redacted = "[REDACTED]"

// Secret holds a secret value, such as a password, and prints as [Redacted]
// everywhere: String, GoString, every fmt verb (%v %+v %#v %s %q %x ...),
// JSON, text, YAML and slog. Only Reveal returns the value. The zero value
// is the empty secret.
//
// An empty Secret prints as [Redacted] too: an empty password is still a
// password, and whether a secret is set is a question for IsZero, not for
// output. Tag a field `json:",omitzero"` to leave unset secrets out of JSON.
//
// The value sits behind a pointer so that fmt, which cannot call methods
// on unexported struct fields, prints an address rather than the value when
// a Secret is an unexported field of a printed struct.
//
// Secret deliberately has no UnmarshalJSON, UnmarshalText or UnmarshalYAML:
// secret values come from environment variables or files that the
// configuration names, never from literals in a document, so decoding a
// document value into a Secret fails.
type Secret struct {
	v *string
}

// NewSecret returns a Secret holding s.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{v: &s}
}

// Reveal returns the secret value. Call it only where the value is handed
// to what needs it (an environment variable, a key derivation).
func (s Secret) Reveal() string {
	if s.v == nil {
		return ""
	}
	return *s.v
}

// IsZero reports whether the secret is empty. encoding/json's omitzero
// option uses it.
func (s Secret) IsZero() bool { return s.v == nil || *s.v == "" }

// Equal reports, in constant time, whether s and o hold the same value.
// go-cmp uses it to compare structs holding secrets.
func (s Secret) Equal(o Secret) bool {
	return subtle.ConstantTimeCompare([]byte(s.Reveal()), []byte(o.Reveal())) == 1
}

// String returns [Redacted].
func (Secret) String() string { return Redacted }

// GoString returns [Redacted], for %#v.
func (Secret) GoString() string { return Redacted }

// Format prints [Redacted] for every verb, quoted for %q, honouring width
// and the '-' flag.
func (Secret) Format(f fmt.State, verb rune) {
	out := Redacted
	if verb == 'q' {
		out = strconv.Quote(out)
	}
	if w, ok := f.Width(); ok && w > len(out) {
		pad := strings.Repeat(" ", w-len(out))
		if f.Flag('-') {
			out += pad
		} else {
			out = pad + out
		}
	}
	_, _ = io.WriteString(f, out)
}

// MarshalJSON returns the JSON string "[REDACTED]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText returns [Redacted]; encoding/xml, JSON map keys and YAML
// encoders use it.
func (Secret) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

// MarshalYAML returns [Redacted] (the go.yaml.in/yaml/v3 Marshaler shape).
func (Secret) MarshalYAML() (any, error) { return Redacted, nil }

// LogValue returns [Redacted] as a slog string value.
func (Secret) LogValue() slog.Value { return slog.StringValue(Redacted) }

var (
	_ fmt.Stringer   = Secret{}
	_ fmt.GoStringer = Secret{}
	_ fmt.Formatter  = Secret{}
	_ slog.LogValuer = Secret{}
)
