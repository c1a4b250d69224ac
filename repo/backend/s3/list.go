package s3

import (
	"context"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/minio/minio-go/v7"
)

// List calls fn for every object of type t whose name is a valid ID:
// keys/<id>, locks/<id>, ... one level below the type's folder, and packs
// exactly two levels below data/ (data/<xx>/<id>). It lists with
// ListObjectsV2, 1000 objects per request, recursively for packs. The
// config file is never listed. A missing folder lists as empty.
func (b *Backend) List(ctx context.Context, t backend.FileType, fn func(backend.FileInfo) error) error {
	if err := checkHandle(backend.Handle{Type: t, Name: "x"}); err != nil {
		return b.wrap("list", t.String(), err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t == backend.ConfigFile {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prefix := b.dirKey(t)
	depth := 1
	if t == backend.PackFile {
		depth = 2
	}
	noOwner := false
	for obj := range b.client.ListObjectsIter(ctx, b.cfg.Bucket, minio.ListObjectsOptions{
		Prefix: prefix, Recursive: t == backend.PackFile, FetchOwner: &noOwner,
	}) {
		if obj.Err != nil {
			if err := ctx.Err(); err != nil {
				return err
			}
			return b.wrap("list", t.String(), obj.Err)
		}
		rel := strings.TrimPrefix(obj.Key, prefix)
		parts := strings.Split(rel, "/")
		if len(parts) != depth {
			continue // a "directory" or an object at the wrong depth
		}
		name := parts[len(parts)-1]
		if !backend.IsValidName(name) {
			continue
		}
		if err := fn(backend.FileInfo{Name: name, Size: obj.Size}); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return ctx.Err()
}
