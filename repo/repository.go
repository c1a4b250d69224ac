package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
)

// Options tune a Repository. The zero value means defaults.
type Options struct {
	// Logger receives debug and warning messages; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Repository is an open restic-format repository. It is safe for
// concurrent use.
type Repository struct {
	be     backend.Backend
	key    *crypto.Key
	keyID  string
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	idxMu  sync.Mutex
	idx    *index.Index
	loaded bool
	pre    prefetched // what a lock loaded while settling (snapshot_prefetch.go)
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Open opens the repository stored in be with password, trying every key
// file. It returns ErrNoRepository when be holds no config file,
// ErrWrongPassword when no key matches and an error wrapping
// ErrConfigDamaged when the config cannot be read. The index is loaded
// lazily on first use, or explicitly with LoadIndex.
func Open(ctx context.Context, be backend.Backend, password string, opts Options) (*Repository, error) {
	opts = opts.withDefaults()
	cfgHandle := backend.Handle{Type: backend.ConfigFile}
	if _, err := be.Stat(ctx, cfgHandle); err != nil {
		if be.IsNotExist(err) {
			return nil, fmt.Errorf("%s: %w", be.Location(), ErrNoRepository)
		}
		return nil, fmt.Errorf("stat config: %w", err)
	}
	key, keyID, err := openMasterKey(ctx, be, password)
	if err != nil {
		return nil, err
	}
	raw, err := loadRaw(ctx, be, cfgHandle, maxKeyFileSize)
	if err != nil {
		return nil, fmt.Errorf("load config: %w", err)
	}
	plain, err := key.Open(nil, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: config or key %s: %v", ErrConfigDamaged, keyID[:8], err)
	}
	cfg, err := parseConfig(plain)
	if err != nil {
		return nil, err
	}
	return &Repository{be: be, key: key, keyID: keyID, cfg: cfg, log: opts.Logger, now: opts.Now}, nil
}

// Config returns the repository's configuration.
func (r *Repository) Config() Config { return r.cfg }

// Backend returns the backend the repository is stored in.
func (r *Repository) Backend() backend.Backend { return r.be }

// KeyID returns the ID of the key file that opened the repository.
func (r *Repository) KeyID() string { return r.keyID }

// loadEncrypted loads, hash-checks and decrypts an unpacked file (index,
// snapshot, lock) and returns its JSON.
func (r *Repository) loadEncrypted(ctx context.Context, h backend.Handle, limit int64) ([]byte, error) {
	raw, err := loadRaw(ctx, r.be, h, limit)
	if err != nil {
		if r.be.IsNotExist(err) {
			return nil, fmt.Errorf("%v: %w", h, errors.Join(ErrNotFound, err))
		}
		return nil, fmt.Errorf("load %v: %w", h, err)
	}
	if sha(raw) != h.Name {
		return nil, &IntegrityError{File: h.String(), Err: errors.New("content does not match its name")}
	}
	plain, err := r.key.Open(nil, raw)
	if err != nil {
		return nil, &IntegrityError{File: h.String(), Err: err}
	}
	js, err := decodeUnpacked(r.cfg.Version, plain)
	if err != nil {
		return nil, &IntegrityError{File: h.String(), Err: err}
	}
	return js, nil
}

// saveEncrypted encrypts an unpacked file and stores it under the SHA-256
// of its bytes, returning that name.
func (r *Repository) saveEncrypted(ctx context.Context, t backend.FileType, js []byte) (string, error) {
	obj := r.key.Seal(nil, encodeUnpacked(r.cfg.Version, js))
	name := sha(obj)
	if err := r.be.Save(ctx, backend.Handle{Type: t, Name: name}, backend.NewByteReader(obj)); err != nil {
		return "", fmt.Errorf("save %s/%s: %w", t, name, err)
	}
	return name, nil
}

var _ io.Reader = (*backend.ByteReader)(nil)
