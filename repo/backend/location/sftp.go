package location

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/sftp"
)

// Environment variables read for "sftp:" locations besides SSH_AUTH_SOCK
// (the ssh-agent) and HOME (for ~/.ssh/known_hosts and ~/.ssh/id_*).
const (
	// EnvSSHKey names a private key file without a passphrase to log in
	// with, tried before the agent's keys.
	EnvSSHKey = "KAMAL_BACKUP_SSH_KEY"
	// EnvSSHKnownHosts names the known_hosts file that must hold the
	// server's host key; the default is ~/.ssh/known_hosts.
	EnvSSHKnownHosts = "KAMAL_BACKUP_SSH_KNOWN_HOSTS"
)

// openSFTP opens an "sftp:" location: "sftp:user@host:/path",
// "sftp:host:relative/path" or "sftp://user@host:port//path". It connects
// at once, so an unknown host key or a refused key fails here.
func openSFTP(ctx context.Context, location string, env Lookup) (backend.Backend, error) {
	cfg, err := sftp.ParseLocation(location)
	if err != nil {
		return nil, err
	}
	get := func(name string) string {
		v, _ := env(name)
		return v
	}
	be, err := sftp.Open(ctx, cfg, sftp.Options{
		KeyFile:        get(EnvSSHKey),
		KnownHostsFile: get(EnvSSHKnownHosts),
		Agent:          get("SSH_AUTH_SOCK"),
		Home:           get("HOME"),
	})
	if err != nil {
		return nil, err
	}
	return be, nil
}
