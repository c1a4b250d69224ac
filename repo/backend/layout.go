package backend

import (
	"path"
	"regexp"
)

var idPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// IsValidName reports whether name is a 64-character lowercase hex ID, the
// only names listings return.
func IsValidName(name string) bool { return idPattern.MatchString(name) }

// Dirs returns every directory of the default layout relative to the
// repository root, as restic init creates them: data/00 .. data/ff, index,
// keys, locks and snapshots.
func Dirs() []string {
	dirs := []string{"data", "index", "keys", "locks", "snapshots"}
	for i := 0; i < 256; i++ {
		dirs = append(dirs, path.Join("data", hexByte(i)))
	}
	return dirs
}

func hexByte(i int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[i>>4], digits[i&15]})
}

// Path returns the slash-separated object path of h below the repository
// root in the default layout: "config", "keys/<id>", "data/<xx>/<id>", ...
func Path(h Handle) string {
	switch h.Type {
	case ConfigFile:
		return "config"
	case PackFile:
		if len(h.Name) >= 2 {
			return path.Join("data", h.Name[:2], h.Name)
		}
		return path.Join("data", h.Name)
	}
	return path.Join(h.Type.String(), h.Name)
}

// Dir returns the directory holding files of type t ("data" for packs,
// whose files live one level deeper).
func Dir(t FileType) string {
	if t == ConfigFile {
		return ""
	}
	return t.String()
}
