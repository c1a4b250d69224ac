package redact

import "strings"

// redactPatterns applies the URL and key rules to s.
func redactPatterns(s string) string {
	return redactKeys(redactURLPasswords(s))
}

// redactKeys replaces the values of secret-looking keys (rule 3 of the
// package documentation) in one left-to-right pass.
func redactKeys(s string) string {
	var b strings.Builder
	prev, line := 0, 0
	for i := 0; i < len(s); {
		if !isKeyChar(s[i]) {
			if s[i] == '\n' {
				line = i + 1
			}
			i++
			continue
		}
		j := i
		for j < len(s) && isKeyChar(s[j]) {
			j++
		}
		if !isSecretKey(s[i:j]) {
			i = j
			continue
		}
		start, end := keyValue(s, line, i, j)
		if start < 0 || isVarRef(s[start:end]) {
			i = j
			continue
		}
		b.WriteString(s[prev:start])
		b.WriteString(requote(s[start:end]))
		prev, i = end, end
	}
	if prev == 0 {
		return s
	}
	b.WriteString(s[prev:])
	return b.String()
}

// keyValue returns the range of the value of the key s[i:j], on the line
// starting at s[line], or -1, -1 when the key is not followed by a value
// in one of the recognised shapes.
func keyValue(s string, line, i, j int) (int, int) {
	var before byte
	if i > 0 {
		before = s[i-1]
	}
	quoted := isQuote(before) && j < len(s) && isQuote(s[j])
	k := j
	if quoted || (j < len(s) && isQuote(s[j]) && atLineStart(s[line:i])) {
		k++
	}
	sep := skipBlanks(s, k)
	switch {
	case sep < len(s) && s[sep] == ':' && atLineStart(s[line:i]):
		v := skipBlanks(s, sep+1)
		if v < len(s) && !isSpace(s[v]) {
			end := strings.IndexAny(s[v:], "\r\n")
			if end < 0 {
				return v, len(s)
			}
			return v, v + end
		}
	case sep < len(s) && s[sep] == '=' || quoted && sep < len(s) && s[sep] == ':':
		if strings.HasPrefix(s[sep:], "=>") {
			sep++
		}
		v := skipBlanks(s, sep+1)
		if end := valueEnd(s, v); end > v {
			return v, end
		}
	case k == j && j < len(s) && s[j] == ':' && isQuote(before):
		// A quoted header, as in curl -H "Authorization: Bearer x": the
		// value runs to the closing quote.
		v := skipBlanks(s, j+1)
		end := v
		for end < len(s) && s[end] != before && s[end] != '\n' && s[end] != '\r' {
			end++
		}
		if end > v {
			return v, end
		}
	case k == j && j < len(s) && s[j] == ':' && (i == 0 || strings.IndexByte(" \t\n\r\f{([,;", before) >= 0):
		if end := valueEnd(s, j+1); end > j+1 {
			return j + 1, end
		}
	}
	return -1, -1
}

// valueEnd returns the end of the value starting at s[v]: a quoted string
// (to the end of the line when the closing quote is missing) or a run up
// to a space, '&' or quote.
func valueEnd(s string, v int) int {
	if v >= len(s) {
		return v
	}
	switch q := s[v]; q {
	case '"', '\'':
		for j := v + 1; j < len(s); j++ {
			switch {
			case s[j] == '\n':
				return j
			case s[j] == q:
				return j + 1
			case s[j] == '\\' && q == '"' && j+1 < len(s) && s[j+1] != '\n':
				j++
			}
		}
		return len(s)
	}
	j := v
	for j < len(s) && !isSpace(s[j]) && s[j] != '&' && !isQuote(s[j]) {
		j++
	}
	return j
}

// atLineStart reports whether a key preceded on its line by prefix starts
// the line: prefix holds only blanks, an optional YAML list dash and an
// optional quote.
func atLineStart(prefix string) bool {
	prefix = strings.TrimLeft(strings.TrimSuffix(strings.TrimSuffix(prefix, `"`), "'"), " \t")
	if prefix == "" {
		return true
	}
	return prefix[0] == '-' && len(prefix) > 1 && strings.TrimLeft(prefix[1:], " \t") == ""
}

// requote returns Redacted inside the quotes v was written with.
func requote(v string) string {
	if v == "" || !isQuote(v[0]) {
		return Redacted
	}
	if len(v) > 1 && v[len(v)-1] == v[0] {
		return string(v[0]) + Redacted + string(v[0])
	}
	return string(v[0]) + Redacted
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isKeyChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-'
}

func isQuote(c byte) bool { return c == '"' || c == '\'' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// isVarRef reports whether v, a secret-looking key's value, is only a
// reference to a shell variable ($NAME, ${NAME}, maybe in double
// quotes), as in `curl "https://x/?access_token=$TOKEN"`: it names where
// the secret is, it is not the secret. A variable's value that the
// redactor knows is still redacted wherever it appears.
func isVarRef(v string) bool {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	v, ok := strings.CutPrefix(v, "$")
	if !ok {
		return false
	}
	if inner, ok := strings.CutPrefix(v, "{"); ok {
		v, ok = strings.CutSuffix(inner, "}")
		if !ok {
			return false
		}
	}
	if v == "" || v[0] >= '0' && v[0] <= '9' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
