package tree

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// modeMask selects the os.FileMode bits that restic stores.
const modeMask = os.ModeType | os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky

// MarshalJSON encodes n as restic does: members in restic's fixed order,
// empty optional members omitted, Go encoding/json escaping, and the name
// escaped with strconv.Quote first. Fields that Decode did not recognise are
// appended after the known ones. It fails only for values that cannot be
// encoded, such as a time whose zone offset is 24 hours or more or a
// GenericAttributes value that is not valid JSON.
func (n Node) MarshalJSON() ([]byte, error) {
	return n.appendJSON(nil)
}

// appendJSON appends the node object to buf.
func (n *Node) appendJSON(buf []byte) ([]byte, error) {
	w := objectWriter{buf: append(buf, '{')}
	w.value("name", quoteName(n.Name))
	w.value("type", n.Type)
	if m := n.Mode & modeMask; m != 0 {
		w.uint("mode", uint64(m))
	}
	w.time("mtime", n.ModTime)
	w.time("atime", n.AccessTime)
	w.time("ctime", n.ChangeTime)
	w.uint("uid", uint64(n.UID))
	w.uint("gid", uint64(n.GID))
	if n.User != "" {
		w.value("user", n.User)
	}
	if n.Group != "" {
		w.value("group", n.Group)
	}
	if n.Inode != 0 {
		w.uint("inode", n.Inode)
	}
	if n.DeviceID != 0 {
		w.uint("device_id", n.DeviceID)
	}
	if n.Size != 0 {
		w.uint("size", n.Size)
	}
	if n.Links != 0 {
		w.uint("links", n.Links)
	}
	if n.LinkTarget != "" {
		w.value("linktarget", n.LinkTarget)
	}
	if raw := n.linkTargetRaw(); len(raw) > 0 {
		w.value("linktarget_raw", raw)
	}
	if len(n.ExtendedAttributes) > 0 {
		w.value("extended_attributes", n.ExtendedAttributes)
	}
	if len(n.GenericAttributes) > 0 {
		w.value("generic_attributes", n.GenericAttributes)
	}
	if n.Device != 0 {
		w.uint("device", n.Device)
	}
	w.content(n.Content, n.Type == TypeFile)
	if n.Subtree != nil {
		w.key("subtree")
		w.buf = appendID(w.buf, n.Subtree[:])
	}
	if n.Error != "" {
		w.value("error", n.Error)
	}
	for _, f := range n.unknown {
		w.member(f.key, f.value)
	}
	if w.err != nil {
		return nil, fmt.Errorf("encode node %q: %w", n.Name, w.err)
	}
	return append(w.buf, '}'), nil
}

// linkTargetRaw returns the bytes for "linktarget_raw": LinkTargetRaw if
// set, otherwise LinkTarget when it is not valid UTF-8 (and so cannot survive
// the JSON string), otherwise nil.
func (n *Node) linkTargetRaw() []byte {
	if len(n.LinkTargetRaw) > 0 {
		return n.LinkTargetRaw
	}
	if !utf8.ValidString(n.LinkTarget) {
		return []byte(n.LinkTarget)
	}
	return nil
}

// clampYear moves t into the years 0…9999, which is all that RFC 3339 and
// Go's time.Time.MarshalJSON can represent, keeping the rest of the date.
func clampYear(t time.Time) time.Time {
	switch y := t.Year(); {
	case y < 0:
		return t.AddDate(-y, 0, 0)
	case y > 9999:
		return t.AddDate(9999-y, 0, 0)
	}
	return t
}

// objectWriter appends the members of a JSON object, remembering the first
// error so that callers can check once at the end.
type objectWriter struct {
	buf     []byte
	members int
	err     error
}

// key appends the separator and a member name that needs no escaping.
func (w *objectWriter) key(k string) {
	if w.members > 0 {
		w.buf = append(w.buf, ',')
	}
	w.members++
	w.buf = append(w.buf, '"')
	w.buf = append(w.buf, k...)
	w.buf = append(w.buf, '"', ':')
}

// value appends a member whose value is v encoded by encoding/json.
func (w *objectWriter) value(k string, v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("%s: %w", k, err)
		return
	}
	w.key(k)
	w.buf = append(w.buf, b...)
}

// member appends a member with an arbitrary name and a raw JSON value, both
// re-encoded by encoding/json so that escaping and spacing match.
func (w *objectWriter) member(k string, v json.RawMessage) {
	if w.err != nil {
		return
	}
	kb, err := json.Marshal(k)
	if err != nil {
		w.err = fmt.Errorf("key %q: %w", k, err)
		return
	}
	vb, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("%s: %w", k, err)
		return
	}
	if w.members > 0 {
		w.buf = append(w.buf, ',')
	}
	w.members++
	w.buf = append(w.buf, kb...)
	w.buf = append(w.buf, ':')
	w.buf = append(w.buf, vb...)
}

// uint appends a member with an unsigned integer value.
func (w *objectWriter) uint(k string, v uint64) {
	w.key(k)
	w.buf = strconv.AppendUint(w.buf, v, 10)
}

// time appends a member with an RFC 3339 time in its own zone offset.
func (w *objectWriter) time(k string, t time.Time) {
	if w.err != nil {
		return
	}
	b, err := clampYear(t).MarshalJSON()
	if err != nil {
		w.err = fmt.Errorf("%s: %w", k, err)
		return
	}
	w.key(k)
	w.buf = append(w.buf, b...)
}

// content appends the "content" member: an array of IDs, or null when ids
// is nil and the node is not a file.
func (w *objectWriter) content(ids []id.ID, file bool) {
	w.key("content")
	if ids == nil && !file {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = append(w.buf, '[')
	for i := range ids {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendID(w.buf, ids[i][:])
	}
	w.buf = append(w.buf, ']')
}

// appendID appends an ID as a quoted lowercase hex string.
func appendID(buf, b []byte) []byte {
	buf = append(buf, '"')
	buf = hex.AppendEncode(buf, b)
	return append(buf, '"')
}
