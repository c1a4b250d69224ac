package evidence

import (
	"crypto/ed25519"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// maxKeyFileSize bounds a key file read from disk.
const maxKeyFileSize = 64 << 10

// KeyPairFiles are the files WriteKeyPair wrote.
type KeyPairFiles struct {
	// Key is the private key file, PREFIX.key, mode 0600.
	Key string
	// Pub is the public key file, PREFIX.pub, mode 0644.
	Pub string
	// KeyID is the public key's KeyID.
	KeyID string
}

// WriteKeyPair generates a signing key pair with GenerateKey and writes
// it to prefix+".key" (the private key, mode 0600) and prefix+".pub"
// (the public key, mode 0644). Unless overwrite is set it writes nothing
// when either file exists, and the error wraps fs.ErrExist.
func WriteKeyPair(prefix string, overwrite bool) (KeyPairFiles, error) {
	files := KeyPairFiles{Key: prefix + ".key", Pub: prefix + ".pub"}
	if !overwrite {
		for _, name := range []string{files.Key, files.Pub} {
			if _, err := os.Lstat(name); err == nil {
				return KeyPairFiles{}, fmt.Errorf("key file %s: %w (use --force to replace it)", name, fs.ErrExist)
			}
		}
	}
	privPEM, pubPEM, id, err := GenerateKey(nil)
	if err != nil {
		return KeyPairFiles{}, err
	}
	files.KeyID = id
	if err := writeKeyFile(files.Key, privPEM, 0o600, overwrite); err != nil {
		return KeyPairFiles{}, err
	}
	if err := writeKeyFile(files.Pub, pubPEM, 0o644, overwrite); err != nil {
		os.Remove(files.Key) // a private key without its public key is of no use
		return KeyPairFiles{}, err
	}
	return files, nil
}

// writeKeyFile writes data to name with mode perm: through a new file
// that replaces name when overwrite is set, else only if name does not
// exist.
func writeKeyFile(name string, data []byte, perm os.FileMode, overwrite bool) error {
	target := name
	var f *os.File
	var err error
	if overwrite {
		f, err = os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*") // mode 0600
	} else {
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	}
	if err != nil {
		return fmt.Errorf("write key file %s: %w", name, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm) // the umask may have narrowed it; never widened beyond perm
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && overwrite {
		err = os.Rename(f.Name(), target)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write key file %s: %w", name, err)
	}
	return nil
}

// LoadPrivateKey reads an ed25519 private key from a PEM file (as
// WriteKeyPair or openssl genpkey -algorithm ed25519 write it). Like
// ssh, it refuses a file that group or others may read or write, naming
// its mode. Its errors never contain key material.
func LoadPrivateKey(name string) (ed25519.PrivateKey, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("private key: %w", err)
	}
	b, err := readKeyFile(f, name)
	if err != nil {
		return nil, err
	}
	perm := fi.Mode().Perm()
	if block, _ := pem.Decode(b); perm&0o077 != 0 && runtime.GOOS != "windows" && (block == nil || block.Type != publicKeyPEMType) {
		// (A public key given by mistake gets ParsePrivateKey's clearer error.)
		return nil, fmt.Errorf("private key %s has mode %04o: it must not be accessible by group or others (chmod 600 %s)", name, perm, name)
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return k, nil
}

// LoadPublicKey reads an ed25519 public key from a PEM file.
func LoadPublicKey(name string) (ed25519.PublicKey, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	defer f.Close()
	b, err := readKeyFile(f, name)
	if err != nil {
		return nil, err
	}
	k, err := ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return k, nil
}

// readKeyFile reads f, at most maxKeyFileSize bytes.
func readKeyFile(f *os.File, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", name, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, errors.New("key file " + name + " is too large to be a key")
	}
	return b, nil
}
