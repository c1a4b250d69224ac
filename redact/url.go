package redact

import (
	"net/url"
	"strings"
)

// RedactURL returns a repository location or URL with its password and
// secret query parameters replaced by [Redacted], keeping the user name:
// "rest:https://user:pass@host:8000/repo" becomes
// "rest:https://user:[REDACTED]@host:8000/repo", and
// "sftp:user@host:/path" is returned unchanged. It applies the URL and key
// rules of [Redactor.Redact] without registered values; call a Redactor's
// Redact to remove registered values too.
func RedactURL(raw string) string {
	return redactPatterns(raw)
}

// redactURLPasswords replaces the password of every "scheme://user:pass@"
// in s. The user information runs to the last '@' before the end of the
// authority ('/', '?', '#' or a space), as URL parsers read it, and the
// password from its first ':'.
func redactURLPasswords(s string) string {
	var b strings.Builder
	prev := 0
	for _, pw := range passwordSpans(s) {
		b.WriteString(s[prev:pw.start])
		b.WriteString(Redacted)
		prev = pw.end
	}
	if prev == 0 {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// passwordSpans returns the ranges of the non-empty URL passwords in s.
func passwordSpans(s string) []span {
	var out []span
	for off := 0; ; {
		i := strings.Index(s[off:], "://")
		if i < 0 {
			return out
		}
		i += off
		off = i + 3
		if i == 0 || !isSchemeChar(s[i-1]) {
			continue
		}
		auth := off
		for auth < len(s) && !isSpace(s[auth]) && strings.IndexByte("/?#", s[auth]) < 0 {
			auth++
		}
		at := strings.LastIndexByte(s[off:auth], '@')
		if at < 0 {
			continue
		}
		colon := strings.IndexByte(s[off:off+at], ':')
		if colon >= 0 && colon+1 < at {
			out = append(out, span{off + colon + 1, off + at})
		}
		off += at + 1
	}
}

// urlPasswords returns the password of every URL in s, both as written and
// percent-decoded.
func urlPasswords(s string) []string {
	var out []string
	for _, sp := range passwordSpans(s) {
		pw := s[sp.start:sp.end]
		out = append(out, pw)
		if d, err := url.PathUnescape(pw); err == nil && d != pw {
			out = append(out, d)
		}
	}
	return out
}

func isSchemeChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '.' || c == '-'
}
