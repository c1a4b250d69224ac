package progress

import (
	"encoding/json"
	"io"
	"sync"
	"time"
)

// JSONSchemaVersion is the schema_version of the JSON status lines.
const JSONSchemaVersion = 1

// StatusLine is one JSON status line, shaped like restic's status
// messages (message_type "status", percent_done from 0 to 1, whole
// seconds) with kamal-backup's kind and schema_version. Fields are
// documented in docs/COMMANDS.md, "Progress".
type StatusLine struct {
	MessageType      string  `json:"message_type"`
	Kind             string  `json:"kind"`
	SchemaVersion    int     `json:"schema_version"`
	Action           string  `json:"action"`
	Name             string  `json:"name,omitempty"`
	PercentDone      float64 `json:"percent_done"`
	BytesDone        int64   `json:"bytes_done"`
	TotalBytes       *int64  `json:"total_bytes,omitempty"`
	ItemsDone        int64   `json:"items_done,omitempty"`
	TotalItems       *int64  `json:"total_items,omitempty"`
	SecondsElapsed   uint64  `json:"seconds_elapsed"`
	SecondsRemaining *uint64 `json:"seconds_remaining,omitempty"`
	Final            bool    `json:"final,omitempty"`
}

// NewStatusLine returns the JSON line of st.
func NewStatusLine(st Status) StatusLine {
	l := StatusLine{MessageType: "status", Kind: "progress", SchemaVersion: JSONSchemaVersion,
		Action: st.Action, Name: st.Name, PercentDone: st.Fraction(), BytesDone: st.Bytes,
		ItemsDone: st.Items, SecondsElapsed: uint64(st.Elapsed / time.Second), Final: st.Final}
	if st.TotalBytes >= 0 {
		l.TotalBytes = &st.TotalBytes
	}
	if st.TotalItems >= 0 {
		l.TotalItems = &st.TotalItems
	}
	if d, ok := st.Remaining(); ok {
		s := uint64(d.Round(time.Second) / time.Second)
		l.SecondsRemaining = &s
	}
	return l
}

// JSON is a Reporter writing one JSON line per report, at most one per
// interval of an operation's elapsed time, and always the final one. It
// is safe for concurrent use.
type JSON struct {
	mu       sync.Mutex
	w        io.Writer
	interval time.Duration
	last     time.Duration // Elapsed of the operation's last line written
}

var _ Reporter = (*JSON)(nil)

// NewJSON returns a JSON reporter writing to w at most one line per
// interval (0: every report) plus the final one of each operation.
func NewJSON(w io.Writer, interval time.Duration) *JSON {
	return &JSON{w: w, interval: interval}
}

// Report writes st as a line unless a line of the same operation was
// written less than the interval before. Write errors are ignored.
func (j *JSON) Report(st Status) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if !st.Final && st.Elapsed-j.last < j.interval {
		return
	}
	j.last = st.Elapsed
	if st.Final {
		j.last = 0 // the next report is of another operation
	}
	b, err := json.Marshal(NewStatusLine(st))
	if err != nil {
		return
	}
	_, _ = j.w.Write(append(b, '\n'))
}
