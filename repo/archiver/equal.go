package archiver

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// equalNodes reports whether two nodes record the same entry: every field
// equal, times compared as instants, content and subtree by ID. It is
// restic's test for counting an entry as unmodified.
func equalNodes(a, b *tree.Node) bool {
	return a.Name == b.Name && a.Type == b.Type && a.Mode == b.Mode &&
		a.ModTime.Equal(b.ModTime) && a.AccessTime.Equal(b.AccessTime) && a.ChangeTime.Equal(b.ChangeTime) &&
		a.UID == b.UID && a.GID == b.GID && a.User == b.User && a.Group == b.Group &&
		a.Inode == b.Inode && a.DeviceID == b.DeviceID && a.Size == b.Size && a.Links == b.Links &&
		a.LinkTarget == b.LinkTarget && a.Device == b.Device && a.Error == b.Error &&
		slices.Equal(a.Content, b.Content) && equalSubtree(a, b) &&
		slices.EqualFunc(a.ExtendedAttributes, b.ExtendedAttributes, func(x, y tree.ExtendedAttribute) bool {
			return x.Name == y.Name && bytes.Equal(x.Value, y.Value)
		}) &&
		maps.EqualFunc(a.GenericAttributes, b.GenericAttributes, func(x, y json.RawMessage) bool { return bytes.Equal(x, y) })
}

func equalSubtree(a, b *tree.Node) bool {
	if a.Subtree == nil || b.Subtree == nil {
		return a.Subtree == b.Subtree
	}
	return *a.Subtree == *b.Subtree
}
