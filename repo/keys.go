package repo

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
)

// ErrKeyInUse means a request to remove the key that opened the repository.
var ErrKeyInUse = errors.New("refusing to remove the key currently in use")

// AddKey stores a new key file for password that unlocks the same master
// key and returns its ID.
func (r *Repository) AddKey(ctx context.Context, password string, kdf KDFParams) (string, error) {
	if password == "" {
		return "", errors.New("add key: empty password")
	}
	return r.addKey(ctx, password, kdf, "", "")
}

func (r *Repository) addKey(ctx context.Context, password string, kdf KDFParams, host, username string) (string, error) {
	params := crypto.Params(kdf)
	if params.N == 0 {
		params = calibrateKDF()
	}
	if host == "" {
		host, _ = os.Hostname()
	}
	if username == "" {
		if u, err := user.Current(); err == nil {
			username = u.Username
		}
	}
	salt := make([]byte, crypto.SaltSize)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	userKey, err := crypto.DeriveKey(password, salt, params)
	if err != nil {
		return "", err
	}
	master, err := json.Marshal(r.key)
	if err != nil {
		return "", err
	}
	kf := keyFile{Created: r.now(), Username: username, Hostname: host, KDF: "scrypt",
		N: params.N, R: params.R, P: params.P, Salt: salt, Data: userKey.Seal(nil, master)}
	js, err := json.Marshal(kf)
	if err != nil {
		return "", err
	}
	name := id.Hash(js).String()
	if err := r.be.Save(ctx, backend.Handle{Type: backend.KeyFile, Name: name}, backend.NewByteReader(js)); err != nil {
		return "", fmt.Errorf("save key: %w", err)
	}
	return name, nil
}

// Keys lists the key files with their metadata; the one that opened the
// repository has Current set.
func (r *Repository) Keys(ctx context.Context) ([]KeyInfo, error) {
	names, err := r.listNames(ctx, backend.KeyFile)
	if err != nil {
		return nil, err
	}
	var out []KeyInfo
	for _, name := range names {
		data, err := loadRaw(ctx, r.be, backend.Handle{Type: backend.KeyFile, Name: name}, maxKeyFileSize)
		if err != nil {
			return nil, fmt.Errorf("load key %s: %w", name[:8], err)
		}
		kf, err := parseKeyFile(data)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", name[:8], err)
		}
		out = append(out, KeyInfo{ID: name, Created: kf.Created, Username: kf.Username, Hostname: kf.Hostname, Current: name == r.keyID})
	}
	return out, nil
}

// RemoveKey deletes a key file other than the one in use. keyID may be a
// unique prefix.
func (r *Repository) RemoveKey(ctx context.Context, keyID string) error {
	names, err := r.listNames(ctx, backend.KeyFile)
	if err != nil {
		return err
	}
	name, err := findPrefix(names, keyID)
	if err != nil {
		return fmt.Errorf("key %q: %w", keyID, err)
	}
	if name == r.keyID {
		return ErrKeyInUse
	}
	return r.be.Remove(ctx, backend.Handle{Type: backend.KeyFile, Name: name})
}
