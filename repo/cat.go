package repo

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// Find resolves a full file name or a unique prefix among the files of
// type t. An unknown name wraps ErrNotFound; an ambiguous prefix is an
// *AmbiguousIDError.
func (r *Repository) Find(ctx context.Context, t backend.FileType, prefix string) (string, error) {
	names, err := r.listNames(ctx, t)
	if err != nil {
		return "", err
	}
	name, err := findPrefix(names, prefix)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", t, prefix, err)
	}
	return name, nil
}

// LoadJSON loads, verifies and decrypts an index, snapshot or lock file
// (given by full name or unique prefix) and returns its JSON, as restic's
// "cat" prints it.
func (r *Repository) LoadJSON(ctx context.Context, t backend.FileType, prefix string) (json.RawMessage, error) {
	switch t {
	case backend.IndexFile, backend.SnapshotFile, backend.LockFile:
	default:
		return nil, fmt.Errorf("cannot load %s files as JSON", t)
	}
	name, err := r.Find(ctx, t, prefix)
	if err != nil {
		return nil, err
	}
	js, err := r.loadEncrypted(ctx, backend.Handle{Type: t, Name: name}, maxIndexFileSize)
	if err != nil {
		return nil, err
	}
	if !json.Valid(js) {
		return nil, &IntegrityError{File: t.String() + "/" + name, Err: fmt.Errorf("not valid JSON")}
	}
	return js, nil
}
