package sftp

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrUnknownHost is wrapped by the *HostKeyError returned when the
// server's host key is not in the known_hosts file.
var ErrUnknownHost = errors.New("unknown SSH host key")

// ErrHostKeyMismatch is wrapped by the *HostKeyError returned when the
// known_hosts file holds a different (or a revoked) key for the server.
var ErrHostKeyMismatch = errors.New("SSH host key mismatch")

// HostKeyError reports a host key that known_hosts does not vouch for. It
// unwraps to ErrUnknownHost or ErrHostKeyMismatch, and its message tells
// how to check the key and add it.
type HostKeyError struct {
	Err         error  // ErrUnknownHost or ErrHostKeyMismatch
	Host        string // as known_hosts names it: "host" or "[host]:port"
	KeyType     string // the server's key type, e.g. "ssh-ed25519"
	Fingerprint string // the server key's SHA256 fingerprint, "SHA256:..."
	KnownHosts  string // the known_hosts file consulted
	Known       string // for a mismatch: "file:line" of the known key
	revoked     bool
}

// Error implements error.
func (e *HostKeyError) Error() string {
	host, port := hostPort(e.Host)
	keyscan := "ssh-keyscan"
	if port != "22" {
		keyscan += " -p " + port
	}
	keyscan += " -t " + strings.TrimPrefix(e.KeyType, "ssh-") + " " + host
	if e.revoked {
		return fmt.Sprintf("%v: the key of %s (%s %s) is revoked in %s", e.Err, e.Host, e.KeyType, e.Fingerprint, e.Known)
	}
	if errors.Is(e.Err, ErrHostKeyMismatch) {
		return fmt.Sprintf("%v: %s sent %s %s, but %s holds another key for it; this may be a "+
			"man-in-the-middle attack. If the server's key was changed on purpose, remove the old key with "+
			"`ssh-keygen -R '%s' -f %s` and add the new one after checking its fingerprint",
			e.Err, e.Host, e.KeyType, e.Fingerprint, e.Known, e.Host, e.KnownHosts)
	}
	return fmt.Sprintf("%v: %s is not in %s; its key is %s %s. If that fingerprint is the server's "+
		"(check with `ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub` on the server), add the key with "+
		"`%s >> %s`, or connect once with ssh and accept it",
		e.Err, e.Host, e.KnownHosts, e.KeyType, e.Fingerprint, keyscan, e.KnownHosts)
}

// Unwrap returns ErrUnknownHost or ErrHostKeyMismatch.
func (e *HostKeyError) Unwrap() error { return e.Err }

// hostPort splits a known_hosts name ("host" or "[host]:port").
func hostPort(name string) (host, port string) {
	if h, p, err := net.SplitHostPort(name); err == nil {
		return strings.Trim(h, "[]"), p
	}
	return name, "22"
}

// hostKeyCheck reads the known_hosts file and returns the callback that
// verifies addr's host key against it, and the host key algorithms to
// offer: those of the keys known for addr, so that the server does not
// present a key of another type that would look like a mismatch. A
// missing file knows no host.
func hostKeyCheck(file, addr string) (ssh.HostKeyCallback, []string, error) {
	db, err := knownhosts.New(file)
	if errors.Is(err, fs.ErrNotExist) {
		db = func(string, net.Addr, ssh.PublicKey) error { return &knownhosts.KeyError{} }
	} else if err != nil {
		return nil, nil, setupErrorf("read known_hosts: %v", err)
	}
	check := func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := db(hostname, remote, key)
		if err == nil {
			return nil
		}
		e := &HostKeyError{Err: ErrHostKeyMismatch, Host: knownhosts.Normalize(hostname), KeyType: key.Type(),
			Fingerprint: ssh.FingerprintSHA256(key), KnownHosts: file}
		var keyErr *knownhosts.KeyError
		var revoked *knownhosts.RevokedError
		switch {
		case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
			e.Err = ErrUnknownHost
		case errors.As(err, &keyErr):
			e.Known = fmt.Sprintf("%s:%d", keyErr.Want[0].Filename, keyErr.Want[0].Line)
		case errors.As(err, &revoked):
			e.Known = fmt.Sprintf("%s:%d", revoked.Revoked.Filename, revoked.Revoked.Line)
			e.revoked = true
		default:
			return err
		}
		return e
	}
	return check, knownAlgorithms(db, addr), nil
}

// knownAlgorithms returns the host key algorithms matching the keys db
// holds for addr, learnt by checking a key db cannot know; nil if none.
func knownAlgorithms(db ssh.HostKeyCallback, addr string) []string {
	var keyErr *knownhosts.KeyError
	if err := db(addr, &net.TCPAddr{IP: net.IPv4zero}, probeKey{}); !errors.As(err, &keyErr) {
		return nil
	}
	var algos []string
	seen := map[string]bool{}
	for _, k := range keyErr.Want {
		for _, a := range algorithmsFor(k.Key.Type()) {
			if !seen[a] {
				seen[a] = true
				algos = append(algos, a)
			}
		}
	}
	return algos
}

// algorithmsFor returns the signature algorithms a key type can sign
// with: RSA keys sign with SHA-2 or, on old servers, SHA-1.
func algorithmsFor(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// probeKey is a public key no known_hosts file holds.
type probeKey struct{}

func (probeKey) Type() string                        { return "kamal-backup-probe" }
func (probeKey) Marshal() []byte                     { return []byte("\x00\x00\x00\x12kamal-backup-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }
