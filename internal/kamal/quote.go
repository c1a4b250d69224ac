package kamal

import "strings"

// RemoteProgram is the program that runs on the accessory.
const RemoteProgram = "kamal-backup"

// Command returns the command line Kamal runs in the accessory container:
// RemoteProgram followed by args, each quoted with Quote.
func Command(args []string) string {
	var b strings.Builder
	b.WriteString(RemoteProgram)
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(Quote(a))
	}
	return b.String()
}

// Quote returns s quoted as one word for a POSIX shell (sh, dash, bash),
// so that the shell on the server that runs Kamal's docker exec passes
// it on unchanged.
//
// Words made only of letters, digits and "_@%+=:,./-" are left alone;
// others are double-quoted, with '"', '\\', '$' and '`' escaped. A single
// quote becomes "$(printf \\047)": Quote never writes a single quote,
// because Kamal appends "Executed cmd '<command>' on <name> accessory"
// to its audit log on the server through the shell without escaping, and
// a command line free of single quotes stays inert inside those quotes
// (a "'" in it would end them and expose ";", "|" or "$(...)").
func Quote(s string) string {
	if s == "" {
		return `""`
	}
	if isBare(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\', '$', '`':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\'':
			b.WriteString(`$(printf \\047)`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// isBare reports whether s needs no quoting.
func isBare(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_@%+=:,./-", c) >= 0:
		default:
			return false
		}
	}
	return true
}
