package evidence

import (
	"bytes"
	"encoding/json"
)

// Fact is one piece of evidence that may be missing or unreadable. In
// JSON it is its value, null when there is none (no snapshot yet, no
// record), or {"error": "..."} when it could not be read. The zero Fact
// is missing.
type Fact[T any] struct {
	// Value is the evidence; nil when missing or unreadable.
	Value *T
	// Error says why the evidence could not be read, redacted; empty
	// when it was read or is simply missing.
	Error string
}

// Known returns a Fact holding v.
func Known[T any](v T) Fact[T] { return Fact[T]{Value: &v} }

// Failed returns a Fact recording why it could not be read.
func Failed[T any](err error) Fact[T] { return Fact[T]{Error: err.Error()} }

// Missing reports whether there is neither a value nor an error.
func (f Fact[T]) Missing() bool { return f.Value == nil && f.Error == "" }

// Facts encode themselves.
var (
	_ json.Marshaler   = Fact[int]{}
	_ json.Unmarshaler = (*Fact[int])(nil)
)

// factError is the JSON form of an unreadable Fact.
type factError struct {
	Error string `json:"error"`
}

// MarshalJSON writes {"error": "..."}, null or the value.
func (f Fact[T]) MarshalJSON() ([]byte, error) {
	switch {
	case f.Error != "":
		return json.Marshal(factError{f.Error})
	case f.Value == nil:
		return []byte("null"), nil
	}
	return json.Marshal(f.Value)
}

// UnmarshalJSON reads what MarshalJSON writes. An object whose only key
// is "error", holding a string, is an unreadable Fact.
func (f *Fact[T]) UnmarshalJSON(b []byte) error {
	*f = Fact[T]{}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(b, &probe) == nil && len(probe) == 1 {
		if raw, ok := probe["error"]; ok {
			var msg string
			if json.Unmarshal(raw, &msg) == nil {
				f.Error = msg
				return nil
			}
		}
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	f.Value = &v
	return nil
}
