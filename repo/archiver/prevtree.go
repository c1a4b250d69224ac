package archiver

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// prevNode holds the node members restic defines. Decoding a whole tree of
// them in one encoding/json pass is several times cheaper than tree.Decode,
// which also keeps unknown members; a parent tree is only compared with,
// never written back, so those do not matter (restic ignores them too).
type prevNode struct {
	Name               string                     `json:"name"`
	Type               string                     `json:"type"`
	Mode               os.FileMode                `json:"mode"`
	ModTime            time.Time                  `json:"mtime"`
	AccessTime         time.Time                  `json:"atime"`
	ChangeTime         time.Time                  `json:"ctime"`
	UID                uint32                     `json:"uid"`
	GID                uint32                     `json:"gid"`
	User               string                     `json:"user"`
	Group              string                     `json:"group"`
	Inode              uint64                     `json:"inode"`
	DeviceID           uint64                     `json:"device_id"`
	Size               uint64                     `json:"size"`
	Links              uint64                     `json:"links"`
	LinkTarget         string                     `json:"linktarget"`
	LinkTargetRaw      []byte                     `json:"linktarget_raw"`
	ExtendedAttributes []tree.ExtendedAttribute   `json:"extended_attributes"`
	GenericAttributes  map[string]json.RawMessage `json:"generic_attributes"`
	Device             uint64                     `json:"device"`
	Content            []repo.ID                  `json:"content"`
	Subtree            *repo.ID                   `json:"subtree"`
	Error              string                     `json:"error"`
}

// decodePrev decodes a tree blob of the parent snapshot. It falls back to
// tree.Decode, and its errors, for anything unusual.
func decodePrev(data []byte) (*tree.Tree, error) {
	var raw struct {
		Nodes []*prevNode `json:"nodes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return tree.Decode(data)
	}
	t := &tree.Tree{Nodes: make([]*tree.Node, len(raw.Nodes))}
	for i, p := range raw.Nodes {
		if p == nil {
			return tree.Decode(data)
		}
		name, err := unquote(p.Name)
		if err != nil {
			return tree.Decode(data)
		}
		n := &tree.Node{Name: name, Type: p.Type, Mode: p.Mode,
			ModTime: p.ModTime, AccessTime: p.AccessTime, ChangeTime: p.ChangeTime,
			UID: p.UID, GID: p.GID, User: p.User, Group: p.Group, Inode: p.Inode, DeviceID: p.DeviceID,
			Size: p.Size, Links: p.Links, LinkTarget: p.LinkTarget, LinkTargetRaw: p.LinkTargetRaw,
			ExtendedAttributes: p.ExtendedAttributes, GenericAttributes: p.GenericAttributes,
			Device: p.Device, Content: p.Content, Subtree: p.Subtree, Error: p.Error}
		if len(p.LinkTargetRaw) > 0 {
			n.LinkTarget = string(p.LinkTargetRaw)
		}
		t.Nodes[i] = n
	}
	return t, nil
}

// unquote undoes the strconv.Quote escaping restic applies to names.
func unquote(s string) (string, error) {
	if !strings.ContainsAny(s, "\\\"\n") {
		return s, nil
	}
	name, err := strconv.Unquote(`"` + s + `"`)
	if err != nil {
		return "", fmt.Errorf("invalid escaped name %q: %w", s, err)
	}
	return name, nil
}
