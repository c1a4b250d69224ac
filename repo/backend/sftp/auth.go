package sftp

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// ErrAuth is wrapped by errors for a server that accepted none of the
// keys offered.
var ErrAuth = errors.New("SSH authentication failed")

// ErrNoKey means there is no key to offer: no usable key file and no
// agent.
var ErrNoKey = errors.New("no SSH key: give a key file without a passphrase or run ssh-agent (SSH_AUTH_SOCK)")

// signers returns the keys to offer, key files first, then the agent's,
// and a function that closes the agent connection once the handshake is
// done. Errors name files, never key material.
func signers(o Options) ([]ssh.Signer, func(), error) {
	var keys []ssh.Signer
	var agentErr error
	closeAgent := func() {}
	var ag agent.ExtendedAgent
	if o.Agent != "" {
		c, err := net.Dial("unix", o.Agent)
		if err != nil {
			agentErr = fmt.Errorf("ssh-agent: %w", err)
		} else {
			closeAgent = func() { c.Close() }
			ag = agent.NewClient(c)
		}
	}
	files, explicit := o.keyFiles()
	for _, file := range files {
		k, err := readKey(file)
		switch {
		case err == nil:
			keys = append(keys, k)
		case !explicit && (errors.Is(err, fs.ErrNotExist) || isPassphraseMissing(err)):
			// Default key files are optional; encrypted ones may be in the agent.
		case explicit && isPassphraseMissing(err) && ag != nil:
			// The agent may hold the decrypted key.
		case isPassphraseMissing(err):
			closeAgent()
			return nil, nil, setupErrorf("key file %s is protected by a passphrase: load it into ssh-agent", file)
		default:
			closeAgent()
			return nil, nil, setupErrorf("key file %s: %v", file, err)
		}
	}
	if ag != nil {
		agentKeys, err := ag.Signers()
		if err != nil {
			agentErr = fmt.Errorf("ssh-agent: %w", err)
		}
		keys = append(keys, agentKeys...)
	}
	if len(keys) == 0 {
		closeAgent()
		if agentErr != nil {
			return nil, nil, fmt.Errorf("%w (%v)", ErrNoKey, agentErr)
		}
		return nil, nil, ErrNoKey
	}
	return keys, closeAgent, nil
}

// readKey parses the private key in file.
func readKey(file string) (ssh.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	k, err := ssh.ParsePrivateKey(b)
	if err != nil && !isPassphraseMissing(err) {
		// The parser's messages describe the format, not the content;
		// still, keep only a generic reason.
		return nil, errors.New("not a private key in a supported format")
	}
	return k, err
}

func isPassphraseMissing(err error) bool {
	var pm *ssh.PassphraseMissingError
	return errors.As(err, &pm)
}
