package pack

import "errors"

var (
	// ErrInvalidHeader is wrapped by every error about a pack whose trailer
	// or header is malformed, fails to decrypt, or does not describe the
	// pack's size exactly.
	ErrInvalidHeader = errors.New("invalid pack header")
	// ErrShortTail is returned by ParseHeader when the tail it was given
	// is too short to hold the header the trailer announces.
	ErrShortTail = errors.New("pack tail too short for header")
	// ErrPackFull is returned by Packer.Add when another header entry would
	// make the header larger than MaxHeaderSize or the pack larger than
	// 4 GiB.
	ErrPackFull = errors.New("pack is full")
	// ErrBlobIntegrity is wrapped by every DecodeBlob error about damaged
	// blob bytes: wrong length, failed decryption or decompression, or a
	// SHA-256 that differs from the blob ID.
	ErrBlobIntegrity = errors.New("blob integrity check failed")
)
