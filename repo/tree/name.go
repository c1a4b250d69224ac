package tree

import (
	"fmt"
	"strconv"
)

// quoteName escapes a node name the way restic stores it: strconv.Quote
// without the surrounding quotes. The result is valid UTF-8 even when name is
// not, because invalid bytes become \xNN escapes.
func quoteName(name string) string {
	q := strconv.Quote(name)
	return q[1 : len(q)-1]
}

// unquoteName reverses quoteName on a name that has already been
// JSON-unescaped, as restic's reader does.
func unquoteName(s string) (string, error) {
	name, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		return "", fmt.Errorf("invalid escaped name %q: %w", s, err)
	}
	return name, nil
}
