package backup

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// maxPingBody bounds the body of a healthchecks ping.
const maxPingBody = 10 << 10

// Notification is the JSON document POSTed to the webhook (kind
// "notification", schema_version 1). Fields are only ever added;
// docs/MONITORING.md describes them. Every string in it is redacted.
type Notification struct {
	RecordHeader
	// Event is EventFailure, EventSuccess or EventLate.
	Event string `json:"event"`
	App   string `json:"app"`
	// Host is the snapshot host, Config.Hostname.
	Host string    `json:"host"`
	At   time.Time `json:"at"`
	// Summary is one line for people.
	Summary string `json:"summary"`
	// Error is why the run failed (failure).
	Error string `json:"error,omitempty"`
	// Record is the run's backup_result record (success, failure).
	Record *BackupRecord `json:"record,omitempty"`
	// Late are the sources that became late (late).
	Late []LateSource `json:"late,omitempty"`
}

// payload returns the webhook's JSON document for ev, redacted.
func (n *HTTPNotifier) payload(ev Event) ([]byte, error) {
	doc := Notification{RecordHeader: NewRecordHeader(KindNotification), Event: ev.Kind, App: n.cfg.App,
		Host: n.cfg.Hostname(), At: ev.At.UTC(), Summary: n.summary(ev), Record: ev.Record, Late: ev.Late}
	if ev.Err != nil {
		doc.Error = ev.Err.Error()
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode notification: %w", err)
	}
	data, err = redactJSONValues(n.cfg.Redactor(), data)
	if err != nil {
		return nil, fmt.Errorf("redact notification: %w", err)
	}
	return data, nil
}

// summary describes ev in one line.
func (n *HTTPNotifier) summary(ev Event) string {
	app := n.cfg.App
	switch ev.Kind {
	case EventStart:
		return app + ": backup started"
	case EventLate:
		var parts []string
		for _, s := range ev.Late {
			last := "no successful backup known"
			if s.LastSuccessAt != nil {
				last = "last success " + s.LastSuccessAt.UTC().Format(time.RFC3339)
			}
			parts = append(parts, s.Source+" ("+last+")")
		}
		return app + ": backup late: " + strings.Join(parts, ", ")
	}
	rec := ev.Record
	if rec == nil {
		return app + ": backup " + ev.Kind
	}
	var added uint64
	for _, s := range rec.Sources {
		added += s.Added
	}
	took := rec.FinishedAt.Sub(rec.StartedAt).Round(time.Second)
	if ev.Kind == EventFailure {
		return fmt.Sprintf("%s: backup failed after %v: %s", app, took, firstLine(rec.Error))
	}
	return fmt.Sprintf("%s: backup succeeded: %d sources, %d bytes added in %v", app, len(rec.Sources), added, took)
}

// pingBody is the body of ev's healthchecks ping: the summary and a line
// per source, redacted, at most 10 KiB.
func (n *HTTPNotifier) pingBody(ev Event) []byte {
	if ev.Kind == EventStart {
		return nil
	}
	var b strings.Builder
	b.WriteString(n.summary(ev) + "\n")
	if ev.Record != nil {
		for _, s := range ev.Record.Sources {
			fmt.Fprintf(&b, "%s: %s, %d bytes read, %d added", sourceName(s), s.Status, s.Bytes, s.Added)
			if s.Error != "" {
				b.WriteString(": " + s.Error)
			}
			b.WriteString("\n")
		}
	}
	if ev.Err != nil && ev.Record == nil {
		b.WriteString(ev.Err.Error() + "\n")
	}
	return []byte(truncateUTF8(n.cfg.Redactor().Redact(b.String()), maxPingBody))
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
