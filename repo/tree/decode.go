package tree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// nodeJSON holds the known members of a node object. Decoding into it with
// encoding/json gives the same key matching (exact, else case-insensitive;
// the last duplicate wins) and the same type checks as restic's reader.
type nodeJSON struct {
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
	ExtendedAttributes []ExtendedAttribute        `json:"extended_attributes"`
	GenericAttributes  map[string]json.RawMessage `json:"generic_attributes"`
	Device             uint64                     `json:"device"`
	Content            []id.ID                    `json:"content"`
	Subtree            *id.ID                     `json:"subtree"`
	Error              string                     `json:"error"`
}

// knownKeys are the member names of nodeJSON.
var knownKeys = [...]string{
	"name", "type", "mode", "mtime", "atime", "ctime", "uid", "gid",
	"user", "group", "inode", "device_id", "size", "links", "linktarget",
	"linktarget_raw", "extended_attributes", "generic_attributes",
	"device", "content", "subtree", "error",
}

// isKnownKey reports whether encoding/json would store member k in a field
// of nodeJSON. Like encoding/json it compares with Unicode case folding.
func isKnownKey(k string) bool {
	for _, known := range knownKeys {
		if strings.EqualFold(k, known) {
			return true
		}
	}
	return false
}

// UnmarshalJSON decodes a node object as restic's reader does, then undoes
// the strconv.Quote escaping of the name. Members it does not know are kept
// and written back by MarshalJSON. A JSON null leaves n unchanged. Errors
// name the member or the escape that is wrong.
func (n *Node) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	if err := n.decode(data); err != nil {
		return fmt.Errorf("decode node: %w", err)
	}
	return nil
}

// decode replaces *n with the node encoded in data.
func (n *Node) decode(data []byte) error {
	var j nodeJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	name, err := unquoteName(j.Name)
	if err != nil {
		return err
	}
	*n = Node{
		Name:               name,
		Type:               j.Type,
		Mode:               j.Mode,
		ModTime:            j.ModTime,
		AccessTime:         j.AccessTime,
		ChangeTime:         j.ChangeTime,
		UID:                j.UID,
		GID:                j.GID,
		User:               j.User,
		Group:              j.Group,
		Inode:              j.Inode,
		DeviceID:           j.DeviceID,
		Size:               j.Size,
		Links:              j.Links,
		LinkTarget:         j.LinkTarget,
		LinkTargetRaw:      j.LinkTargetRaw,
		ExtendedAttributes: j.ExtendedAttributes,
		GenericAttributes:  j.GenericAttributes,
		Device:             j.Device,
		Content:            j.Content,
		Subtree:            j.Subtree,
		Error:              j.Error,
	}
	if len(j.LinkTargetRaw) > 0 {
		// "linktarget" only holds a lossy copy; the raw bytes are the target.
		n.LinkTarget = string(j.LinkTargetRaw)
	}
	// Fast path: a node in restic's canonical encoding (what restic and
	// this package write) re-encodes to exactly its input, so it has no
	// unknown members and the slower member scan can be skipped.
	if enc, err := n.appendJSON(nil); err == nil && bytes.Equal(enc, data) {
		return nil
	}
	unknown, err := unknownMembers(data)
	if err != nil {
		return err
	}
	n.unknown = unknown
	return nil
}

// unknownMembers returns, in order, the members of the JSON object in data
// whose names are not known node fields.
func unknownMembers(data []byte) ([]rawField, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("node is not a JSON object")
	}
	var unknown []rawField
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("unexpected %v in node object", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, fmt.Errorf("member %q: %w", key, err)
		}
		if !isKnownKey(key) {
			unknown = append(unknown, rawField{key: key, value: value})
		}
	}
	return unknown, nil
}
