package cli

import (
	"fmt"
	"path"
	"strings"
)

// SnapshotRef is a parsed snapshot argument: "latest", an ID or ID
// prefix, optionally followed by ":sub/folder" to start inside that
// folder of the snapshot, as restic 0.17+ accepts.
type SnapshotRef struct {
	// ID is "latest", a full ID or an ID prefix.
	ID string
	// Subfolder is the slash-separated folder inside the snapshot, without
	// leading or trailing slashes; "" is the snapshot's root.
	Subfolder string
}

// ParseSnapshotRef splits "ID[:subfolder]".
func ParseSnapshotRef(s string) (SnapshotRef, error) {
	id, sub, _ := strings.Cut(s, ":")
	if id == "" {
		return SnapshotRef{}, fmt.Errorf("invalid snapshot %q: empty ID", s)
	}
	sub = strings.Trim(path.Clean("/"+sub), "/")
	return SnapshotRef{ID: id, Subfolder: sub}, nil
}

// String returns the reference as the user would write it.
func (r SnapshotRef) String() string {
	if r.Subfolder == "" {
		return r.ID
	}
	return r.ID + ":" + r.Subfolder
}
