package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// maxKeys is how many key files Open tries, as restic does.
const maxKeys = 20

// maxKeyFileSize bounds how much of a key file is read.
const maxKeyFileSize = 1 << 20

// KeyInfo describes a key file without its secret content.
type KeyInfo struct {
	ID       string    `json:"id"`
	Created  time.Time `json:"created"`
	Username string    `json:"username"`
	Hostname string    `json:"hostname"`
	Current  bool      `json:"current"`
}

// keyFile is the plain JSON of keys/<id>, fields in restic's order.
type keyFile struct {
	Created  time.Time `json:"created"`
	Username string    `json:"username"`
	Hostname string    `json:"hostname"`
	KDF      string    `json:"kdf"`
	N        int       `json:"N"`
	R        int       `json:"r"`
	P        int       `json:"p"`
	Salt     []byte    `json:"salt"`
	Data     []byte    `json:"data"`
}

func parseKeyFile(data []byte) (*keyFile, error) {
	var k keyFile
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("parse key file: %w", err)
	}
	if k.KDF != "scrypt" {
		return nil, fmt.Errorf("key file uses kdf %q: only scrypt is supported", k.KDF)
	}
	if len(k.Salt) != crypto.SaltSize {
		return nil, fmt.Errorf("key file salt is %d bytes, want %d", len(k.Salt), crypto.SaltSize)
	}
	if err := (crypto.Params{N: k.N, R: k.R, P: k.P}).Validate(); err != nil {
		return nil, fmt.Errorf("key file: %w", err)
	}
	return &k, nil
}

// open derives the user key and decrypts the master key. A MAC failure is
// reported as ErrWrongPassword.
func (k *keyFile) open(password string) (*crypto.Key, error) {
	user, err := crypto.DeriveKey(password, k.Salt, crypto.Params{N: k.N, R: k.R, P: k.P})
	if err != nil {
		return nil, err
	}
	plain, err := user.Open(nil, k.Data)
	if errors.Is(err, crypto.ErrUnauthenticated) {
		return nil, ErrWrongPassword
	}
	if err != nil {
		return nil, err
	}
	master := &crypto.Key{}
	if err := json.Unmarshal(plain, master); err != nil {
		return nil, fmt.Errorf("decode master key: %w", err)
	}
	if !master.Valid() {
		return nil, errors.New("master key is invalid")
	}
	return master, nil
}

func loadRaw(ctx context.Context, be backend.Backend, h backend.Handle, limit int64) ([]byte, error) {
	var buf []byte
	err := be.Load(ctx, h, 0, 0, func(rd io.Reader) error {
		b, err := readAllLimit(rd, limit)
		buf = b
		return err
	})
	return buf, err
}

// openMasterKey tries every key file (at most maxKeys) with password.
func openMasterKey(ctx context.Context, be backend.Backend, password string) (*crypto.Key, string, error) {
	var names []string
	err := be.List(ctx, backend.KeyFile, func(fi backend.FileInfo) error {
		names = append(names, fi.Name)
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list keys: %w", err)
	}
	if len(names) > maxKeys {
		names = names[:maxKeys]
	}
	for _, name := range names {
		h := backend.Handle{Type: backend.KeyFile, Name: name}
		data, err := loadRaw(ctx, be, h, maxKeyFileSize)
		if err != nil {
			return nil, "", fmt.Errorf("load %v: %w", h, err)
		}
		if id.Hash(data).String() != name {
			return nil, "", &IntegrityError{File: h.String(), Err: errors.New("content does not match its name")}
		}
		kf, err := parseKeyFile(data)
		if err != nil {
			return nil, "", fmt.Errorf("%v: %w", h, err)
		}
		master, err := kf.open(password)
		if errors.Is(err, ErrWrongPassword) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("%v: %w", h, err)
		}
		return master, name, nil
	}
	return nil, "", ErrWrongPassword
}
