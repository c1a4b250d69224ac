package repo

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

// checkMaxPackTail is the most a pack may hold after its last blob: the
// largest encrypted header and the trailer.
const checkMaxPackTail = pack.MaxHeaderSize + pack.TrailerSize

// checkPackReport is the outcome of verifying one pack.
type checkPackReport struct {
	issues []CheckIssue
	bytes  int64 // bytes downloaded
}

// verifyPack downloads pack pid once and verifies it against blobs, its
// index entries sorted by offset. The error is a download failure; damage
// is in the report.
func (c *checker) verifyPack(ctx context.Context, pid ID, blobs []pack.Blob) (checkPackReport, error) {
	var rep checkPackReport
	h := backend.Handle{Type: backend.PackFile, Name: pid.String()}
	err := c.r.be.Load(ctx, h, 0, 0, func(rd io.Reader) error {
		var err error
		rep, err = c.streamPack(pid, blobs, c.sizes[pid], rd) // starts afresh on a retry
		return err
	})
	return rep, err
}

// streamPack reads a pack from rd in one pass: it decodes every blob the
// index lists (decrypt, decompress, SHA-256 == ID), hashes the whole file
// (SHA-256 == name) and compares the header with the index. Only read
// errors are returned, including a stream that ends before the size the
// pack was listed with: a short pack file is damage, a short download not.
func (c *checker) streamPack(pid ID, blobs []pack.Blob, size int64, rd io.Reader) (checkPackReport, error) {
	var rep checkPackReport
	issue := func(kind string, blob *ID, format string, args ...any) {
		i := CheckIssue{Kind: kind, File: checkPackPath(pid), Message: "pack " + pid.Str() + ": " + fmt.Sprintf(format, args...)}
		if blob != nil {
			i.Blob = blob.String()
		}
		rep.issues = append(rep.issues, i)
	}
	hash := sha256.New()
	cr := &checkCountingReader{r: io.TeeReader(rd, hash)}
	var (
		buf       []byte
		pos       int64
		truncated bool
	)
	for _, b := range blobs {
		off := int64(b.Offset)
		if off < pos {
			issue(IssueIndexMismatch, &b.ID, "index entry %v overlaps the blob before it, which ends at %d", b, pos)
			continue
		}
		if off > pos {
			issue(IssueIndexMismatch, &b.ID, "index leaves %d unaccounted bytes before %v", off-pos, b)
			if _, err := io.CopyN(io.Discard, cr, off-pos); err != nil {
				if !errors.Is(err, io.EOF) {
					return rep, err
				}
				truncated = true
				break
			}
			pos = off
		}
		if cap(buf) < int(b.Length) {
			buf = make([]byte, b.Length)
		}
		buf = buf[:b.Length]
		if _, err := io.ReadFull(cr, buf); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return rep, err
			}
			truncated = true
			break
		}
		pos += int64(b.Length)
		if _, err := pack.DecodeBlob(c.r.key, b, buf); err != nil {
			issue(IssueBlobIntegrity, &b.ID, "%v", err)
		}
	}
	if truncated {
		if cr.n < size {
			return rep, fmt.Errorf("read %s: %w after %d of %d bytes", checkPackPath(pid), io.ErrUnexpectedEOF, cr.n, size)
		}
		issue(IssuePackRead, nil, "file ends at byte %d, before the end of the blobs the index lists", cr.n)
	}
	tail, err := io.ReadAll(io.LimitReader(cr, checkMaxPackTail+1))
	if err != nil {
		return rep, err
	}
	if len(tail) > checkMaxPackTail {
		issue(IssuePackHeader, nil, "more than %d bytes follow the last indexed blob", checkMaxPackTail)
		if _, err := io.Copy(io.Discard, cr); err != nil {
			return rep, err
		}
		tail = nil
	}
	rep.bytes = cr.n
	if cr.n < size {
		return rep, fmt.Errorf("read %s: %w after %d of %d bytes", checkPackPath(pid), io.ErrUnexpectedEOF, cr.n, size)
	}
	if got := ID(hash.Sum(nil)); got != pid {
		issue(IssuePackHash, nil, "unexpected pack id: the content hashes to %s", got)
	}
	if !truncated && tail != nil {
		c.checkPackHeader(blobs, tail, cr.n, issue)
	}
	return rep, nil
}
