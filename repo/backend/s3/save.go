package s3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// contentType is the Content-Type of every object, as restic sends it.
const contentType = "application/octet-stream"

// multipartSize is the size above which Save uses a multipart upload, and
// its part size, as restic's. Tests lower it.
var multipartSize int64 = 200 << 20

// Save stores rd under h. It reads rd once to check its length and
// compute its MD5, rewinds it, and uploads it with one PUT whose signed
// Content-MD5 header lets the server reject a body damaged or altered on
// the way. The payload itself is not hashed for the signature
// (UNSIGNED-PAYLOAD, as minio-go does over HTTPS): the signed MD5
// already covers it, and repository files are authenticated by their
// MAC and content-addressed names. A reader whose length differs from
// rd.Length fails with backend.ErrLengthMismatch before anything is
// sent. Objects above 200 MiB go up as a multipart upload, which is
// aborted on failure. Either way the object appears complete or not at
// all.
func (b *Backend) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	file := backend.Path(h)
	if err := checkHandle(h); err != nil {
		return b.wrap("save", file, err)
	}
	if err := ctx.Err(); err != nil {
		return b.wrap("save", file, err)
	}
	sums, err := digest(ctx, rd)
	if err != nil {
		return b.wrap("save", file, err)
	}
	if err := rd.Rewind(); err != nil {
		return b.wrap("save", file, fmt.Errorf("rewind: %w", err))
	}
	body := &rewindBody{rd: rd}
	key := b.key(h)
	if sums.size > multipartSize {
		_, err = b.client.PutObject(ctx, b.cfg.Bucket, key, body, sums.size, minio.PutObjectOptions{
			ContentType: contentType, SendContentMd5: true, PartSize: uint64(multipartSize),
		})
	} else {
		_, err = b.core.PutObject(ctx, b.cfg.Bucket, key, body, sums.size, sums.md5, "",
			minio.PutObjectOptions{ContentType: contentType, DisableContentSha256: true})
	}
	return b.wrap("save", file, err)
}

// sums are a reader's length and MD5, as S3 headers want them.
type sums struct {
	size int64
	md5  string // base64
}

// digest reads rd from its start and returns its sums. It fails with
// backend.ErrLengthMismatch if rd yields a different number of bytes than
// rd.Length.
func digest(ctx context.Context, rd backend.RewindReader) (sums, error) {
	if err := rd.Rewind(); err != nil {
		return sums{}, fmt.Errorf("rewind: %w", err)
	}
	md := md5.New()
	n, err := io.Copy(md, backend.ContextReader(ctx, rd))
	if err != nil {
		return sums{}, fmt.Errorf("read: %w", err)
	}
	if want := rd.Length(); n != want {
		return sums{}, fmt.Errorf("%w: read %d bytes, want %d", backend.ErrLengthMismatch, n, want)
	}
	return sums{size: n, md5: base64.StdEncoding.EncodeToString(md.Sum(nil))}, nil
}

// rewindBody is the request body: rd, seekable to its start only, so
// that minio-go can resend it.
type rewindBody struct{ rd backend.RewindReader }

func (r *rewindBody) Read(p []byte) (int, error) { return r.rd.Read(p) }

// Seek supports only Seek(0, io.SeekStart), which rewinds.
func (r *rewindBody) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekStart {
		return 0, errors.New("s3: upload body can only be rewound")
	}
	return 0, r.rd.Rewind()
}
