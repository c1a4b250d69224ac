package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// keepaliveInterval is how often an idle connection is probed, like
// ssh's ServerAliveInterval; a server that has not answered a probe
// within keepaliveTimeout is dropped, so that operations stuck on it fail
// and the next one reconnects.
const (
	keepaliveInterval = 15 * time.Second
	keepaliveTimeout  = 45 * time.Second
)

// conn is one SSH connection with its SFTP session.
type conn struct {
	ssh         *ssh.Client
	sftp        *sftp.Client
	done        chan struct{} // closed when the connection is gone
	posixRename bool          // posix-rename@openssh.com: atomic replace
	fsync       bool          // fsync@openssh.com
}

// dial connects to cfg's server, verifies its host key, logs in with the
// keys of o and starts the SFTP subsystem, within o.Timeout and ctx.
func dial(ctx context.Context, cfg Config, o Options) (*conn, error) {
	user, err := loginName(cfg)
	if err != nil {
		return nil, err
	}
	addr := cfg.addr()
	checkHostKey, algos, err := hostKeyCheck(o.KnownHostsFile, addr)
	if err != nil {
		return nil, err
	}
	keys, closeAgent, err := signers(o)
	if err != nil {
		return nil, err
	}
	defer closeAgent()
	sshCfg := &ssh.ClientConfig{
		User:              user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(keys...)},
		HostKeyCallback:   checkHostKey,
		HostKeyAlgorithms: algos,
		Timeout:           o.Timeout,
	}

	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The handshake and the SFTP start-up use blocking I/O: bound them by
	// ctx through the connection's deadline and by closing it on cancel.
	deadline, _ := ctx.Deadline()
	_ = nc.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	c, err := handshake(nc, addr, sshCfg, len(keys))
	if !stop() {
		if c != nil {
			c.close()
		}
		return nil, ctx.Err()
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	_ = nc.SetDeadline(time.Time{})
	go c.keepalive()
	return c, nil
}

// handshake runs the SSH handshake on nc, offering nkeys keys, and opens
// the SFTP session.
func handshake(nc net.Conn, addr string, cfg *ssh.ClientConfig, nkeys int) (*conn, error) {
	sc, chans, reqs, err := ssh.NewClientConn(nc, addr, cfg)
	var hostKeyErr *HostKeyError
	switch {
	case errors.As(err, &hostKeyErr):
		return nil, hostKeyErr
	case err != nil && strings.Contains(err.Error(), "unable to authenticate"):
		return nil, fmt.Errorf("%w as %q: the server accepted none of the %d key(s) offered", ErrAuth, cfg.User, nkeys)
	case err != nil:
		return nil, err
	}
	client := ssh.NewClient(sc, chans, reqs)
	sc2, err := sftp.NewClient(client, sftp.UseConcurrentWrites(true), sftp.UseConcurrentReads(true))
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("start the sftp subsystem: %w", err)
	}
	c := &conn{ssh: client, sftp: sc2, done: make(chan struct{})}
	_, c.posixRename = sc2.HasExtension("posix-rename@openssh.com")
	v, ok := sc2.HasExtension("fsync@openssh.com")
	c.fsync = ok && v == "1"
	go func() {
		_ = client.Wait()
		close(c.done)
	}()
	return c, nil
}

// keepalive probes the server every keepaliveInterval until the
// connection is gone, and closes it when a probe is not answered in time.
func (c *conn) keepalive() {
	t := time.NewTicker(keepaliveInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		answered := make(chan struct{})
		go func() {
			_, _, _ = c.ssh.SendRequest("keepalive@openssh.com", true, nil)
			close(answered)
		}()
		select {
		case <-answered:
		case <-c.done:
			return
		case <-time.After(keepaliveTimeout):
			c.close()
			return
		}
	}
}

// broken reports whether the connection is gone.
func (c *conn) broken() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// close ends the SFTP session and the connection. Errors closing a
// network connection tell nothing useful and are dropped.
func (c *conn) close() {
	_ = c.sftp.Close()
	_ = c.ssh.Close()
}
