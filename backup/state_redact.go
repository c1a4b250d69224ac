package backup

import "github.com/kamal-backup/kamal-backup/redact"

// redactJSONValues returns data with every string value passed through r
// (see redact.Redactor.RedactJSON).
func redactJSONValues(r *redact.Redactor, data []byte) ([]byte, error) {
	return r.RedactJSON(data)
}
