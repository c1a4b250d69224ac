package repo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/restic/chunker"
)

// ErrAlreadyExists means Init found a config file at the location.
var ErrAlreadyExists = errors.New("repository already exists")

// InitOptions tune Init. The zero value creates a version 2 repository
// with scrypt parameters calibrated like restic's.
type InitOptions struct {
	// Version is the repository format version, 1 or 2; 0 means 2.
	Version uint
	// KDF overrides the scrypt parameters of the key file; zero means
	// calibrate (N=32768, r=8, p so that one derivation takes ~0.5 s).
	KDF KDFParams
	// Hostname and Username are recorded in the key file.
	Hostname, Username string
	// Options are the Repository's options.
	Options Options
}

// KDFParams are scrypt cost parameters for a new key file.
type KDFParams struct{ N, R, P int }

// Init creates a new repository in be, protected by password, and returns
// it opened. It refuses to overwrite an existing repository.
func Init(ctx context.Context, be backend.Backend, password string, opts InitOptions) (*Repository, error) {
	if password == "" {
		return nil, errors.New("init: empty password")
	}
	version := opts.Version
	if version == 0 {
		version = 2
	}
	if version < MinVersion || version > MaxVersion {
		return nil, fmt.Errorf("init: unsupported repository version %d", version)
	}
	if _, err := be.Stat(ctx, backend.Handle{Type: backend.ConfigFile}); err == nil {
		return nil, fmt.Errorf("%s: %w", be.Location(), ErrAlreadyExists)
	} else if !be.IsNotExist(err) {
		return nil, fmt.Errorf("init: stat config: %w", err)
	}
	if c, ok := be.(backend.Creator); ok {
		if err := c.Create(ctx); err != nil {
			return nil, fmt.Errorf("init: create %s: %w", be.Location(), err)
		}
	}
	pol, err := chunker.RandomPolynomial()
	if err != nil {
		return nil, fmt.Errorf("init: chunker polynomial: %w", err)
	}
	var rid [32]byte
	if _, err := rand.Read(rid[:]); err != nil {
		return nil, err
	}
	o := opts.Options.withDefaults()
	r := &Repository{be: be, key: crypto.NewRandomKey(), cfg: Config{Version: version, ID: hex.EncodeToString(rid[:]), ChunkerPolynomial: pol}, log: o.Logger, now: o.Now}
	kid, err := r.addKey(ctx, password, opts.KDF, opts.Hostname, opts.Username)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	r.keyID = kid
	js, err := r.cfg.marshal()
	if err != nil {
		return nil, err
	}
	obj := r.key.Seal(nil, js)
	if err := be.Save(ctx, backend.Handle{Type: backend.ConfigFile}, backend.NewByteReader(obj)); err != nil {
		return nil, fmt.Errorf("init: save config: %w", err)
	}
	r.loaded = true
	r.idx = newEmptyIndex()
	return r, nil
}

// calibrateKDF picks scrypt parameters like restic: N=32768, r=8 and the
// largest p whose derivation stays under about half a second.
func calibrateKDF() crypto.Params {
	p := crypto.Params{N: 32768, R: 8, P: 1}
	salt := make([]byte, crypto.SaltSize)
	start := time.Now()
	if _, err := crypto.DeriveKey("calibrate", salt, p); err != nil {
		return crypto.DefaultParams
	}
	one := time.Since(start)
	if one <= 0 {
		return crypto.DefaultParams
	}
	n := int(500 * time.Millisecond / one)
	p.P = min(max(n, 1), 32)
	return p
}
