package sftp

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// Config is a parsed SFTP location.
type Config struct {
	// User is the login name; "" means the local user's name.
	User string
	// Host is the server's host name or IP address (IPv6 without
	// brackets).
	Host string
	// Port is the server's port; 0 means 22 (ParseLocation turns an
	// explicit 22 into 0).
	Port int
	// Path is the repository directory: absolute, or relative to the
	// login directory. It is cleaned and never empty.
	Path string
}

// ErrInvalidLocation is wrapped by ParseLocation's errors.
var ErrInvalidLocation = errors.New("invalid sftp location")

// ParseLocation parses restic's SFTP locations:
//
//	sftp:user@host:/srv/repo        absolute path
//	sftp:host:repo                  relative to the login directory
//	sftp:[::1]:/srv/repo            IPv6 address
//	sftp://user@host:2222//srv/repo absolute path, with a port
//	sftp://user@host/repo           relative path
//
// A password in the location is refused (only keys are supported); the
// error never repeats it.
func ParseLocation(location string) (Config, error) {
	rest, ok := strings.CutPrefix(location, "sftp:")
	if !ok {
		return Config{}, fmt.Errorf("%w: missing sftp: prefix", ErrInvalidLocation)
	}
	var cfg Config
	var err error
	if strings.HasPrefix(rest, "//") {
		cfg, err = parseURL(location)
	} else {
		cfg, err = parseSCP(rest)
	}
	if err != nil {
		return Config{}, err
	}
	if cfg.Host == "" {
		return Config{}, fmt.Errorf("%w: no host", ErrInvalidLocation)
	}
	if cfg.Path == "" {
		return Config{}, fmt.Errorf("%w: no path", ErrInvalidLocation)
	}
	cfg.Path = path.Clean(cfg.Path)
	if cfg.Port == 22 {
		cfg.Port = 0
	}
	return cfg, nil
}

// parseURL parses "sftp://[user@]host[:port]/path", where a path starting
// with a second slash is absolute.
func parseURL(location string) (Config, error) {
	u, err := url.Parse(location)
	if err != nil {
		// url's errors quote the input, which might hold a password.
		return Config{}, fmt.Errorf("%w: not a valid URL", ErrInvalidLocation)
	}
	if _, has := u.User.Password(); has {
		return Config{}, fmt.Errorf("%w: passwords are not supported, use a key", ErrInvalidLocation)
	}
	cfg := Config{User: u.User.Username(), Host: u.Hostname(), Path: strings.TrimPrefix(u.Path, "/")}
	if p := u.Port(); p != "" {
		cfg.Port, err = strconv.Atoi(p)
		if err != nil || cfg.Port < 1 || cfg.Port > 65535 {
			return Config{}, fmt.Errorf("%w: bad port %q", ErrInvalidLocation, p)
		}
	}
	return cfg, nil
}

// parseSCP parses scp's "[user@]host:path", where host may be an IPv6
// address in brackets.
func parseSCP(s string) (Config, error) {
	var cfg Config
	if at := strings.LastIndex(s[:hostEnd(s)], "@"); at >= 0 {
		cfg.User, s = s[:at], s[at+1:]
	}
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 || !strings.HasPrefix(s[end+1:], ":") {
			return Config{}, fmt.Errorf("%w: want [address]:path", ErrInvalidLocation)
		}
		cfg.Host, cfg.Path = s[1:end], s[end+2:]
		return cfg, nil
	}
	host, p, ok := strings.Cut(s, ":")
	if !ok {
		return Config{}, fmt.Errorf("%w: want host:path", ErrInvalidLocation)
	}
	cfg.Host, cfg.Path = host, p
	return cfg, nil
}

// hostEnd returns the index of the colon ending the user and host part of
// an scp-style location (past any bracketed address), or len(s).
func hostEnd(s string) int {
	if i := strings.Index(s, "]:"); i >= 0 {
		return i + 1
	}
	if i := strings.Index(s, ":"); i >= 0 {
		return i
	}
	return len(s)
}

// addr returns "host:port" for dialing.
func (c Config) addr() string {
	port := c.Port
	if port == 0 {
		port = 22
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(port))
}

// String returns the location in restic's syntax: the scp form when the
// port is the default, else the URL form.
func (c Config) String() string {
	user := ""
	if c.User != "" {
		user = c.User + "@"
	}
	if c.Port == 0 || c.Port == 22 {
		host := c.Host
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		return "sftp:" + user + host + ":" + c.Path
	}
	u := url.URL{Scheme: "sftp", Host: net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), Path: "/" + c.Path}
	if c.User != "" {
		u.User = url.User(c.User)
	}
	return u.String()
}
