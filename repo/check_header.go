package repo

import (
	"io"

	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// checkPackHeader parses the header at the end of a pack of size bytes
// (tail holds its last bytes) and compares it with the pack's index
// entries: same header size, and the same entries with identical type,
// offset, length and uncompressed length.
func (c *checker) checkPackHeader(blobs []pack.Blob, tail []byte, size int64, issue func(string, *ID, string, ...any)) {
	hdr, err := pack.ParseHeader(c.r.key, tail, size)
	if err != nil {
		issue(IssuePackHeader, nil, "%v", err)
		return
	}
	if got, want := pack.HeaderSize(hdr), pack.HeaderSize(blobs); got != want {
		issue(IssueIndexMismatch, nil, "header size %d does not match the index, which implies %d", got, want)
	}
	want := make(map[pack.Blob]int, len(blobs))
	for _, b := range blobs {
		want[b]++
	}
	for _, b := range hdr {
		if want[b] == 0 {
			issue(IssueIndexMismatch, &b.ID, "header entry %v is not in the index at that position", b)
			continue
		}
		want[b]--
	}
	for _, b := range blobs {
		if want[b] > 0 {
			want[b]--
			issue(IssueIndexMismatch, &b.ID, "index entry %v is not in the pack header", b)
		}
	}
}

// checkCountingReader counts the bytes read through it.
type checkCountingReader struct {
	r io.Reader
	n int64
}

func (c *checkCountingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
