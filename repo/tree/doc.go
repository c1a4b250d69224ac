// Package tree encodes and decodes restic tree blobs.
//
// A tree blob describes one directory: a JSON object holding the directory's
// entries as nodes, sorted by name. Because a tree's ID is the SHA-256 of its
// bytes, Encode writes exactly the bytes restic writes for the same nodes, so
// trees made here deduplicate with trees made by restic:
//
//	{"nodes":[<node>,<node>,...]}\n
//
// Each node's fields appear in restic's fixed order with restic's omission
// rules, strings are escaped like Go's encoding/json (HTML-safe, invalid
// UTF-8 replaced), and node names are first escaped with strconv.Quote, which
// is what restic's reader undoes.
//
// Decode accepts any JSON that restic's reader accepts, keeps node fields it
// does not know so that a decode followed by an encode preserves them, and is
// safe to call on hostile input: it never panics and allocates in proportion
// to the input.
package tree
