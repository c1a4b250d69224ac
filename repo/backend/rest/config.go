package rest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kamal-backup/kamal-backup/redact"
)

// ErrInvalidLocation is wrapped by ParseLocation errors. The messages say
// what is wrong without repeating the location, which may hold a password.
var ErrInvalidLocation = errors.New("invalid rest location")

// Environment variables that hold the credentials when the location has
// none, as in restic.
const (
	EnvUsername = "RESTIC_REST_USERNAME"
	EnvPassword = "RESTIC_REST_PASSWORD"
)

// Config is where a REST repository lives and how to log in to it.
type Config struct {
	// URL is the repository's base URL, http or https, without user
	// information; its path ends with "/".
	URL *url.URL
	// Username and Password are sent as HTTP basic authentication when
	// Username or Password is set.
	Username string
	Password redact.Secret

	userInURL bool // the location named a user: Location shows it
}

// ParseLocation parses a restic REST location,
// "rest:http(s)://[user[:pass]@]host[:port][/path]". User name and
// password are taken out of the URL (percent-decoded) into the Config, and
// the path gets a trailing "/".
func ParseLocation(location string) (Config, error) {
	raw, ok := strings.CutPrefix(location, "rest:")
	if !ok {
		return Config{}, fmt.Errorf("%w: does not start with rest:", ErrInvalidLocation)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input and EscapeError the bad escape, which
		// may be part of the password: say neither.
		return Config{}, fmt.Errorf("%w: not a valid URL", ErrInvalidLocation)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Config{}, fmt.Errorf("%w: the URL scheme must be http or https", ErrInvalidLocation)
	}
	if u.Host == "" {
		return Config{}, fmt.Errorf("%w: the URL has no host", ErrInvalidLocation)
	}
	if u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" {
		return Config{}, fmt.Errorf("%w: the URL must not have a query or fragment", ErrInvalidLocation)
	}
	cfg := Config{}
	if u.User != nil {
		cfg.Username = u.User.Username()
		if pw, ok := u.User.Password(); ok {
			cfg.Password = redact.NewSecret(pw)
		}
		u.User = nil
		cfg.userInURL = true
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	cfg.URL = u
	return cfg, nil
}

// ApplyEnvironment reads RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD
// through env when the location named no user at all. As measured against
// restic 0.18.1, credentials in the URL win entirely: a URL with only a
// user name ("rest:http://user@host/") uses that name with an empty
// password and ignores both variables.
func (c *Config) ApplyEnvironment(env func(name string) (string, bool)) {
	if c.userInURL || c.Username != "" || !c.Password.IsZero() {
		return
	}
	if v, ok := env(EnvUsername); ok {
		c.Username = v
	}
	if v, ok := env(EnvPassword); ok {
		c.Password = redact.NewSecret(v)
	}
}

// Location returns "rest:" and the URL as the location gave it: with the
// user name if the location had one, and its password, if any, replaced by
// [REDACTED]. Credentials from the environment are not shown, as in
// restic.
func (c Config) Location() string {
	if c.URL == nil {
		return "rest:"
	}
	u := *c.URL
	u.User = nil
	s := u.String()
	if !c.userInURL {
		return "rest:" + s
	}
	scheme, rest, _ := strings.Cut(s, "://")
	user := url.User(c.Username).String()
	if !c.Password.IsZero() {
		user += ":" + redact.Redacted
	}
	return "rest:" + scheme + "://" + user + "@" + rest
}
