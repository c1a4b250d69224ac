package redact

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// MinLen is the length in bytes of the shortest value [Redactor.Add]
// registers. Shorter values ("x", "db") occur in ordinary text, so
// replacing them would mangle every message without protecting anything
// worth protecting.
const MinLen = 3

// Redactor removes secrets from text: registered values, URL passwords and
// the values of secret-looking keys (see the package documentation for
// the exact rules). The zero value is ready to use and only applies the
// URL and key rules; so does a nil *Redactor. A Redactor is safe for
// concurrent use.
type Redactor struct {
	mu     sync.RWMutex
	values []value // longest first, no duplicates; replaced, never mutated
}

// Add registers secret values, together with their URL-, JSON-,
// Go-quoted and base64-encoded forms. Values shorter than [MinLen] bytes
// are ignored.
func (r *Redactor) Add(values ...string) {
	var add []string
	for _, v := range values {
		if len(v) >= MinLen {
			add = append(add, encodings(v)...)
		}
	}
	if len(add) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	vals := slices.Clip(r.values)
	for _, v := range add {
		if !slices.ContainsFunc(vals, func(x value) bool { return x.v == v }) {
			vals = append(vals, newValue(v))
		}
	}
	slices.SortStableFunc(vals, func(a, b value) int { return cmp.Compare(len(b.v), len(a.v)) })
	r.values = vals
}

// AddEnv registers, from environ in os.Environ's "NAME=value" form, the
// value of every variable whose name [IsSecretName] accepts, and the
// password of every URL found in any value (DATABASE_URL's password, for
// instance).
func (r *Redactor) AddEnv(environ []string) {
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if IsSecretName(name) {
			r.Add(value)
		}
		r.Add(urlPasswords(value)...)
	}
}

// snapshot returns the registered values; the slice must not be modified.
func (r *Redactor) snapshot() []value {
	if r == nil {
		return nil
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.values
}

// Redact returns s with every registered value, URL password and
// secret-looking key's value replaced by [Redacted].
func (r *Redactor) Redact(s string) string {
	if s == "" {
		return s
	}
	return redactPatterns(replaceValues(s, r.snapshot()))
}

// RedactBytes is Redact for a byte slice. It returns a new slice and never
// modifies b.
func (r *Redactor) RedactBytes(b []byte) []byte {
	return []byte(r.Redact(string(b)))
}
