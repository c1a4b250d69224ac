package cli

import (
	"os"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// Node is one node line of `ls --json`, with restic 0.18's fields, order
// and omission rules: size only for files (even when 0), mode omitted
// when 0, inode omitted when 0, times always present.
type Node struct {
	Name        string      `json:"name"`
	Type        string      `json:"type"`
	Path        string      `json:"path"`
	UID         uint32      `json:"uid"`
	GID         uint32      `json:"gid"`
	Size        *uint64     `json:"size,omitempty"`
	Mode        os.FileMode `json:"mode,omitempty"`
	Permissions string      `json:"permissions"`
	ModTime     time.Time   `json:"mtime"`
	AccessTime  time.Time   `json:"atime"`
	ChangeTime  time.Time   `json:"ctime"`
	Inode       uint64      `json:"inode,omitempty"`
	MessageType string      `json:"message_type"`
	StructType  string      `json:"struct_type"`
}

// NewNode returns the `ls --json` line for n found at path p.
func NewNode(p string, n *repo.Node) Node {
	out := Node{Name: n.Name, Type: n.Type, Path: p, UID: n.UID, GID: n.GID,
		Mode: n.Mode, Permissions: n.Mode.String(), ModTime: n.ModTime,
		AccessTime: n.AccessTime, ChangeTime: n.ChangeTime, Inode: n.Inode,
		MessageType: "node", StructType: "node"}
	if n.Type == tree.TypeFile {
		size := n.Size
		out.Size = &size
	}
	return out
}
