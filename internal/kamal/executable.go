package kamal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrKamalNotFound is wrapped by Find's error when the checkout has no
// executable bin/kamal and PATH has no kamal.
var ErrKamalNotFound = errors.New("kamal not found")

// findKamal returns the kamal executable of the checkout at root and its
// display name: bin/kamal when it is executable (the binstub pins the
// app's Kamal version), else kamal in PATH.
func findKamal(root string, lookupEnv func(string) (string, bool)) (path, name string, err error) {
	if p := filepath.Join(root, "bin", "kamal"); isExecutable(p) {
		return p, "bin/kamal", nil
	}
	pathEnv, _ := lookupEnv("PATH")
	for _, dir := range filepath.SplitList(pathEnv) {
		if !filepath.IsAbs(dir) {
			continue // as os/exec: never run a program from a relative PATH entry
		}
		if p := filepath.Join(dir, "kamal"); isExecutable(p) {
			return p, "kamal", nil
		}
	}
	return "", "", fmt.Errorf("%w: no executable bin/kamal in %s and no kamal in PATH; "+
		"install Kamal (or run \"bundle binstubs kamal\"), or add --no-kamal to run the command here instead of on the accessory",
		ErrKamalNotFound, root)
}

// isExecutable reports whether path is a regular file with an execute
// bit set.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}
