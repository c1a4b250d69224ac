package cli

import (
	"encoding/json"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
)

// Key is one element of `key list --json`, with restic 0.18's fields.
type Key struct {
	Current  bool   `json:"current"`
	ID       string `json:"id"`
	UserName string `json:"userName"`
	HostName string `json:"hostName"`
	Created  string `json:"created"` // TimeFormat, local time
}

// NewKey returns the `key list --json` record of k.
func NewKey(k repo.KeyInfo) Key {
	return Key{Current: k.Current, ID: k.ID, UserName: k.Username, HostName: k.Hostname,
		Created: k.Created.In(time.Local).Format(TimeFormat)}
}

// RedactedKeyFile is a key file as `cat key` prints it: restic's fields
// in restic's order, with the encrypted master key ("data") replaced by
// Redacted. The salt and scrypt parameters are not secret.
type RedactedKeyFile struct {
	Created  time.Time `json:"created"`
	Username string    `json:"username"`
	Hostname string    `json:"hostname"`
	KDF      string    `json:"kdf"`
	N        int       `json:"N"`
	R        int       `json:"r"`
	P        int       `json:"p"`
	Salt     []byte    `json:"salt"`
	Data     string    `json:"data"`
}

// RedactKeyFile parses the plain JSON of a key file and returns it with
// its secret part redacted.
func RedactKeyFile(raw []byte) (RedactedKeyFile, error) {
	var k RedactedKeyFile
	var in struct {
		RedactedKeyFile
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return k, err
	}
	k = in.RedactedKeyFile
	k.Data = Redacted
	return k, nil
}
