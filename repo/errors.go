package repo

import (
	"errors"
	"fmt"
)

var (
	// ErrWrongPassword means no key file could be opened with the password.
	ErrWrongPassword = errors.New("wrong password or no key found")
	// ErrNoRepository means there is no repository at the location (no
	// config file).
	ErrNoRepository = errors.New("repository does not exist")
	// ErrConfigDamaged means the config file exists but cannot be
	// decrypted or parsed.
	ErrConfigDamaged = errors.New("repository config is damaged")
	// ErrNotFound means a snapshot, file or blob that was asked for does
	// not exist.
	ErrNotFound = errors.New("not found")
	// ErrIntegrity is wrapped by every *IntegrityError.
	ErrIntegrity = errors.New("repository data is damaged")
)

// IntegrityError reports damaged data: a MAC that does not verify, a hash
// that does not match, a truncated file. It names the file and, when
// known, the blob.
type IntegrityError struct {
	File string // e.g. "data/c4/c43f...", "index/68ce..."
	Blob string // blob ID, or ""
	Err  error
}

// Error implements error.
func (e *IntegrityError) Error() string {
	if e.Blob != "" {
		return fmt.Sprintf("%v in %s, blob %s: %v", ErrIntegrity, e.File, e.Blob, e.Err)
	}
	return fmt.Sprintf("%v in %s: %v", ErrIntegrity, e.File, e.Err)
}

// Unwrap returns ErrIntegrity and the cause.
func (e *IntegrityError) Unwrap() []error { return []error{ErrIntegrity, e.Err} }

// AmbiguousIDError is returned when an ID prefix matches several files.
type AmbiguousIDError struct {
	Prefix     string
	Candidates []string
}

// Error implements error.
func (e *AmbiguousIDError) Error() string {
	return fmt.Sprintf("prefix %q is ambiguous: it matches %v", e.Prefix, e.Candidates)
}
