package s3

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// Remove deletes h. S3 reports success for deleting a missing key, so
// Remove first checks with a HEAD request that h exists (as Stat does):
// a missing h is an error for which IsNotExist is true. Removing costs
// two requests.
func (b *Backend) Remove(ctx context.Context, h backend.Handle) error {
	file := backend.Path(h)
	if err := checkHandle(h); err != nil {
		return b.wrap("remove", file, err)
	}
	key := b.key(h)
	if _, err := b.size(ctx, key); err != nil {
		return b.wrap("remove", file, err)
	}
	return b.wrap("remove", file, b.client.RemoveObject(ctx, b.cfg.Bucket, key, minio.RemoveObjectOptions{}))
}

// Create prepares the bucket for a new repository: it makes the bucket if
// it does not exist and Options.CreateBucket allows it, in Config.Region
// (or the server's default region). S3 needs no folders. Create fails if
// the bucket is missing and may not be made (a permanent error), or with
// an error wrapping fs.ErrExist if the prefix already holds a config.
//
// Whether the bucket exists is asked by listing at most one key below
// the prefix rather than with HEAD bucket: keys whose permissions are
// limited to a prefix may list it, and a refusal names its cause.
func (b *Backend) Create(ctx context.Context) error {
	exists, err := b.bucketExists(ctx)
	if err != nil {
		return b.wrap("create", "", err)
	}
	if !exists {
		if !b.opts.CreateBucket {
			return b.wrap("create", "", fmt.Errorf("%w %q: create it first", errNoBucket, b.cfg.Bucket))
		}
		err := b.client.MakeBucket(ctx, b.cfg.Bucket, minio.MakeBucketOptions{Region: b.cfg.Region})
		if err != nil && minio.ToErrorResponse(err).Code != "BucketAlreadyOwnedByYou" {
			return b.wrap("create", "", err)
		}
	}
	_, err = b.size(ctx, b.key(backend.Handle{Type: backend.ConfigFile}))
	switch {
	case err == nil:
		return b.wrap("create", "config", fmt.Errorf("config %w", fs.ErrExist))
	case !b.IsNotExist(err):
		return b.wrap("create", "config", err)
	}
	return nil
}

// bucketExists lists at most one key below the prefix.
func (b *Backend) bucketExists(ctx context.Context) (bool, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	noOwner := false
	for obj := range b.client.ListObjectsIter(ctx, b.cfg.Bucket, minio.ListObjectsOptions{
		Prefix: b.dirKey(backend.ConfigFile), MaxKeys: 1, FetchOwner: &noOwner,
	}) {
		if obj.Err != nil {
			if minio.ToErrorResponse(obj.Err).Code == "NoSuchBucket" {
				return false, nil
			}
			return false, obj.Err
		}
		break
	}
	return true, ctx.Err()
}
