package evidence

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Canonicalization names the canonical form that signatures cover,
// described in docs/EVIDENCE_JSON.md ("Signing"): the JSON value with no
// insignificant whitespace, object keys sorted by their UTF-8 bytes,
// strings escaped as Go's encoding/json escapes them with HTML escaping
// off, numbers exactly as written.
const Canonicalization = "kamal-backup-canonical-json-v1"

// Canonicalize returns the canonical form of the JSON value in js (see
// Canonicalization). Two inputs differing only in whitespace, key order
// or string escapes give the same bytes; any change to a value gives
// different bytes. It fails on input that is not exactly one JSON value,
// is not UTF-8 or has an object with a repeated key.
func Canonicalize(js []byte) ([]byte, error) {
	if !utf8.Valid(js) {
		return nil, errors.New("canonical JSON: input is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	v, err := readValue(dec)
	if err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("canonical JSON: data after the top-level value")
	}
	var buf bytes.Buffer
	buf.Grow(len(js))
	writeCanonical(&buf, v)
	return buf.Bytes(), nil
}

// readValue reads one JSON value from dec: map[string]any, []any,
// string, json.Number, bool or nil.
func readValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		obj := map[string]any{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			key, ok := kt.(string)
			if !ok {
				return nil, fmt.Errorf("object key %v is not a string", kt)
			}
			if _, dup := obj[key]; dup {
				return nil, fmt.Errorf("object key %q appears twice", key)
			}
			if obj[key], err = readValue(dec); err != nil {
				return nil, err
			}
		}
		_, err := dec.Token() // '}'
		return obj, err
	case json.Delim('['):
		arr := []any{}
		for dec.More() {
			v, err := readValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return tok, nil
}

// writeCanonical writes v, as readValue returns it, in canonical form.
func writeCanonical(buf *bytes.Buffer, v any) {
	switch v := v.(type) {
	case map[string]any:
		buf.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			writeCanonical(buf, v[k])
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeCanonical(buf, e)
		}
		buf.WriteByte(']')
	case string:
		writeString(buf, v)
	case json.Number:
		buf.WriteString(v.String())
	case bool:
		buf.WriteString(strconv.FormatBool(v))
	default: // nil
		buf.WriteString("null")
	}
}

// writeString writes s quoted as encoding/json does with HTML escaping
// off: \" \\ \b \f \n \r \t by name, other bytes below 0x20 and U+2028,
// U+2029 as \u00xx / \u2028 / \u2029 (lowercase hex), everything else
// as UTF-8.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r == '\b':
			buf.WriteString(`\b`)
		case r == '\f':
			buf.WriteString(`\f`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[r>>4])
			buf.WriteByte(hex[r&0xf])
		case r == '\u2028' || r == '\u2029':
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xf])
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}
