package s3

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/kamal-backup/kamal-backup/redact"
)

// ErrPartialCredentials means only one of AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY is set.
var ErrPartialCredentials = errors.New("s3: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")

// ApplyEnv fills the credentials and the region from the variables
// restic reads, looked up with env (os.LookupEnv for the process
// environment):
//
//   - AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN set
//     KeyID, Secret and SessionToken; setting only one of the first two
//     is ErrPartialCredentials.
//   - AWS_DEFAULT_REGION sets Region, or else AWS_REGION.
//   - AWS_PROFILE sets Profile, and AWS_SHARED_CREDENTIALS_FILE sets
//     CredentialsFile, which otherwise is $HOME/.aws/credentials. The file
//     is read only if no static key is set, when the backend is opened.
//
// Values already in c are replaced only by variables that are set and
// not empty.
func (c *Config) ApplyEnv(env func(name string) (string, bool)) error {
	get := func(name string) string {
		v, _ := env(name)
		return v
	}
	id, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")
	if (id == "") != (secret == "") {
		return ErrPartialCredentials
	}
	if id != "" {
		c.KeyID, c.Secret = id, redact.NewSecret(secret)
		c.SessionToken = redact.NewSecret(get("AWS_SESSION_TOKEN"))
	}
	if r := get("AWS_DEFAULT_REGION"); r != "" {
		c.Region = r
	} else if r := get("AWS_REGION"); r != "" {
		c.Region = r
	}
	if p := get("AWS_PROFILE"); p != "" {
		c.Profile = p
	}
	if f := get("AWS_SHARED_CREDENTIALS_FILE"); f != "" {
		c.CredentialsFile = f
	} else if c.CredentialsFile == "" {
		home := get("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		if home != "" {
			c.CredentialsFile = filepath.Join(home, ".aws", "credentials")
		}
	}
	return nil
}
