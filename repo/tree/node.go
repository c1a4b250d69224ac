package tree

import (
	"encoding/json"
	"os"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// Node types as stored in the "type" field of a node.
const (
	TypeFile      = "file"      // regular file; Content lists its data blobs
	TypeDir       = "dir"       // directory; Subtree names its tree blob
	TypeSymlink   = "symlink"   // symbolic link; LinkTarget holds the target
	TypeDev       = "dev"       // block device; Device holds st_rdev
	TypeCharDev   = "chardev"   // character device; Device holds st_rdev
	TypeFifo      = "fifo"      // named pipe
	TypeSocket    = "socket"    // Unix domain socket
	TypeIrregular = "irregular" // anything else (written by restic 0.17+)
)

// Node is one entry of a directory as stored in a tree blob.
//
// The zero value is a node with no name and no type; see Validate. Encoding a
// Node never modifies it.
type Node struct {
	// Name is the entry's name: raw bytes, not necessarily valid UTF-8.
	Name string
	// Type is one of the Type constants.
	Type string
	// Mode holds Go os.FileMode bits. Only the permission, type, setuid,
	// setgid and sticky bits are encoded; others are dropped.
	Mode os.FileMode
	// ModTime, AccessTime and ChangeTime are always encoded, in their own
	// location's offset, with years outside 0…9999 clamped into that range.
	ModTime    time.Time
	AccessTime time.Time
	ChangeTime time.Time
	// UID and GID are the numeric owner and group.
	UID uint32
	GID uint32
	// User and Group are the names of UID and GID, or empty.
	User  string
	Group string
	// Inode is st_ino; DeviceID is st_dev of the file system holding the
	// entry.
	Inode    uint64
	DeviceID uint64
	// Size is the length of a file's content in bytes.
	Size uint64
	// Links is the hard link count.
	Links uint64
	// LinkTarget is a symlink's target as raw bytes, not necessarily valid
	// UTF-8. It is encoded with invalid bytes replaced by U+FFFD.
	LinkTarget string
	// LinkTargetRaw holds the exact target bytes when LinkTarget is not
	// valid UTF-8. Encoding fills it in from LinkTarget when it is empty and
	// needed; decoding a node that carries it sets LinkTarget to it.
	LinkTargetRaw []byte
	// ExtendedAttributes are the entry's xattrs in the order the OS listed
	// them.
	ExtendedAttributes []ExtendedAttribute
	// GenericAttributes holds platform-specific attributes (restic 0.17+),
	// for example "windows.creation_time", as raw JSON values.
	GenericAttributes map[string]json.RawMessage
	// Device is st_rdev for block and character devices.
	Device uint64
	// Content lists a file's data blobs in order. A file node is always
	// encoded with an array, even when Content is nil; other nodes encode a
	// nil Content as null.
	Content []id.ID
	// Subtree is a directory's tree blob, or nil.
	Subtree *id.ID
	// Error records a problem met while reading the entry, normally empty.
	Error string

	// unknown holds fields that Decode did not recognise, in their original
	// order, so that encoding the node writes them back after the known
	// fields.
	unknown []rawField
}

// rawField is one unrecognised "key":value member of a node object.
type rawField struct {
	key   string
	value json.RawMessage
}

// ExtendedAttribute is one extended attribute (xattr) of a node.
type ExtendedAttribute struct {
	// Name is the attribute name, for example "user.comment".
	Name string `json:"name"`
	// Value is the attribute value, stored base64-encoded.
	Value []byte `json:"value"`
}
