package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// encodings returns v and the encoded forms in which it commonly appears
// in output: URL query, path and user-info escaping, JSON and Go string
// escaping (with and without HTML escaping), and the four base64
// alphabets.
func encodings(v string) []string {
	forms := []string{
		v,
		url.QueryEscape(v),
		url.PathEscape(v),
		strings.TrimPrefix(url.UserPassword("u", v).String(), "u:"),
		unquote(strconv.Quote(v)),
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)),
		base64.RawURLEncoding.EncodeToString([]byte(v)),
	}
	if b, err := json.Marshal(v); err == nil {
		forms = append(forms, unquote(string(b)))
	}
	forms = append(forms, escapeJSON(v))
	slices.Sort(forms)
	return slices.Compact(forms)
}

// unquote strips the quotes around a quoted string.
func unquote(q string) string { return q[1 : len(q)-1] }

// escapeJSON escapes v as a JSON string's contents without HTML escaping
// and byte by byte, leaving bytes of invalid UTF-8 as they are: it is how
// a secret that is not valid UTF-8 by itself appears in JSON when the
// bytes around it complete its first or last character.
func escapeJSON(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&0xf])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// span is a half-open byte range [start, end).
type span struct{ start, end int }

// value is a registered value with its smallest period: the smallest p > 0
// such that v[i] == v[i+p] for all i, so that two occurrences overlapping
// each other start at least p bytes apart.
type value struct {
	v      string
	period int
}

func newValue(v string) value {
	// Knuth-Morris-Pratt failure function: fail[i] is the length of the
	// longest proper border of v[:i+1].
	fail := make([]int, len(v))
	for i, k := 1, 0; i < len(v); i++ {
		for k > 0 && v[i] != v[k] {
			k = fail[k-1]
		}
		if v[i] == v[k] {
			k++
		}
		fail[i] = k
	}
	return value{v: v, period: len(v) - fail[len(v)-1]}
}

// valueSpans returns the byte ranges of s covered by an occurrence of any
// of values, sorted and merged so that overlapping or adjacent ranges
// become one. It runs in time linear in len(s) for each value, even for a
// periodic value ("aaaa") in a long run of its period.
func valueSpans(s string, values []value) []span {
	var spans []span
	for _, val := range values {
		v, m, p := val.v, len(val.v), val.period
		for i := 0; i <= len(s)-m; {
			j := strings.Index(s[i:], v)
			if j < 0 {
				break
			}
			start := i + j
			end := start + m
			// While the text continues v's period, v occurs again p bytes on.
			for end+p <= len(s) && s[end:end+p] == v[m-p:] {
				end += p
			}
			spans = append(spans, span{start, end})
			i = end - m + 1
		}
	}
	if len(spans) == 0 {
		return nil
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// replaceValues replaces each merged run of value occurrences in s with
// [Redacted].
func replaceValues(s string, values []value) string {
	spans := valueSpans(s, values)
	if spans == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.start])
		b.WriteString(Redacted)
		prev = sp.end
	}
	b.WriteString(s[prev:])
	return b.String()
}
