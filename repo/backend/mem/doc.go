// Package mem is an in-memory backend for unit tests. It follows the same
// contract as the storage backends, including errors for missing files,
// short reads and lying readers, so code tested against it behaves the
// same on disk.
package mem
