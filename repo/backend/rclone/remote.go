package rclone

import (
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// param is one "name=value" of an rclone connection string, with the
// offsets of its value in the remote.
type param struct {
	name       string
	value      string // unquoted
	start, end int    // the raw value's span, quotes included
}

// params parses the parameters of an rclone connection string,
// "[name|:backend],param=value,...:path", where values may be quoted with
// ' or " (a doubled quote stands for itself). A remote without parameters
// ("remote:path", "/local/path") has none.
func params(remote string) []param {
	i := 0
	if strings.HasPrefix(remote, ":") {
		i = 1
	}
	var out []param
	for i < len(remote) && remote[i] != ':' {
		if remote[i] != ',' {
			i++
			continue
		}
		i++ // the comma
		eq := strings.IndexAny(remote[i:], "=,:")
		if eq < 0 || remote[i+eq] != '=' {
			continue // a flag without value, "name,param:path"
		}
		p := param{name: remote[i : i+eq], start: i + eq + 1}
		p.value, p.end = paramValue(remote, p.start)
		out = append(out, p)
		i = p.end
	}
	return out
}

// paramValue reads the value starting at i, quoted or up to the next ','
// or ':', and returns it unquoted with the offset after it.
func paramValue(s string, i int) (string, int) {
	if i < len(s) && (s[i] == '\'' || s[i] == '"') {
		q := s[i]
		var b strings.Builder
		for j := i + 1; j < len(s); j++ {
			if s[j] != q {
				b.WriteByte(s[j])
				continue
			}
			if j+1 < len(s) && s[j+1] == q {
				b.WriteByte(q)
				j++
				continue
			}
			return b.String(), j + 1
		}
		return b.String(), len(s) // unterminated: rclone will say so
	}
	end := i
	for end < len(s) && s[end] != ',' && s[end] != ':' {
		end++
	}
	return s[i:end], end
}

// secretValues returns the values in remote that must not be shown: those
// of parameters with secret-looking names, and URL passwords in any.
func secretValues(remote string) []string {
	var out []string
	for _, p := range params(remote) {
		if redact.IsSecretName(p.name) {
			out = append(out, p.value)
		}
	}
	return out
}

// redactRemote returns remote with the values of secret-looking
// parameters replaced by [REDACTED] and URL passwords in the others
// redacted.
func redactRemote(remote string) string {
	var b strings.Builder
	prev := 0
	for _, p := range params(remote) {
		var v string
		switch {
		case redact.IsSecretName(p.name):
			v = redact.Redacted
		case strings.Contains(p.value, "://"):
			v = redact.RedactURL(p.value)
			if v == p.value {
				continue
			}
		default:
			continue
		}
		b.WriteString(remote[prev:p.start])
		b.WriteString(v)
		prev = p.end
	}
	b.WriteString(remote[prev:])
	return b.String()
}
