package repo

import "github.com/kamal-backup/kamal-backup/repo/internal/id"

func sha(b []byte) string { return id.Hash(b).String() }

// ID is a SHA-256 identifier of a file or blob.
type ID = id.ID

// ParseID decodes a 64-character hex ID.
func ParseID(s string) (ID, error) { return id.Parse(s) }
