package sftp

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"time"
)

// DefaultConnections is the number of concurrent operations an SFTP
// backend reports when Options.Connections is zero, as restic's.
const DefaultConnections = 5

// DefaultTimeout bounds connecting and the SSH handshake when
// Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options tune Open. The zero value means: no agent, the default key
// files and known_hosts of the user's home directory, five connections.
type Options struct {
	// KeyFile is a private key file (OpenSSH, PEM or PKCS#8 format)
	// without a passphrase; a key with a passphrase must be loaded into
	// the agent instead. "" means ~/.ssh/id_ed25519, id_ecdsa and id_rsa,
	// those that exist and need no passphrase.
	KeyFile string
	// KnownHostsFile lists the trusted host keys, in OpenSSH's known_hosts
	// format (hashed host names are understood). "" means
	// ~/.ssh/known_hosts.
	KnownHostsFile string
	// Agent is the path of an ssh-agent socket, normally $SSH_AUTH_SOCK.
	// "" means no agent. Agent keys are tried after KeyFile.
	Agent string
	// Home is the user's home directory, for the defaults above; "" means
	// os.UserHomeDir.
	Home string
	// Connections is what Connections reports; 0 means
	// DefaultConnections. All operations share one SSH connection, whose
	// SFTP requests are pipelined.
	Connections uint
	// Timeout bounds connecting and the SSH handshake; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() (Options, error) {
	if o.Home == "" && (o.KnownHostsFile == "" || o.KeyFile == "") {
		home, err := os.UserHomeDir()
		if err != nil {
			return o, setupErrorf("no home directory for the default known_hosts and keys: %v", err)
		}
		o.Home = home
	}
	if o.KnownHostsFile == "" {
		o.KnownHostsFile = filepath.Join(o.Home, ".ssh", "known_hosts")
	}
	if o.Connections == 0 {
		o.Connections = DefaultConnections
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Timeout < 0 {
		return o, errors.New("negative timeout")
	}
	return o, nil
}

// keyFiles returns the key files to try: KeyFile, or the default ones.
func (o Options) keyFiles() (files []string, explicit bool) {
	if o.KeyFile != "" {
		return []string{o.KeyFile}, true
	}
	for _, name := range []string{"id_ed25519", "id_ecdsa", "id_rsa"} {
		files = append(files, filepath.Join(o.Home, ".ssh", name))
	}
	return files, false
}

// loginName returns the user name to log in as: cfg's, or the local user's.
func loginName(cfg Config) (string, error) {
	if cfg.User != "" {
		return cfg.User, nil
	}
	u, err := user.Current()
	if err != nil {
		return "", setupErrorf("no user in the location and no local user name: %v", err)
	}
	return u.Username, nil
}
