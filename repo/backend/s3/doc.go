// Package s3 stores a restic-format repository in an S3-compatible bucket
// (AWS S3, Cloudflare R2, Backblaze B2, Wasabi, MinIO, versitygw...) with
// github.com/minio/minio-go/v7, laid out as restic lays it out: the
// objects config, keys/<id>, locks/<id>, snapshots/<id>, index/<id> and
// data/<xx>/<id> below an optional prefix of the bucket, so that restic
// and kamal-backup can share a repository and many repositories can share
// a bucket, each in its own prefix.
//
// ParseLocation reads the location forms restic accepts,
//
//	s3:https://host[:port]/bucket[/prefix]
//	s3:http://host[:port]/bucket[/prefix]
//	s3:host[:port]/bucket[/prefix]      (HTTPS)
//	s3:s3.amazonaws.com/bucket[/prefix]
//
// and the credentials restic reads from the environment: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_DEFAULT_REGION (or
// AWS_REGION), and, when no key is set, the AWS_PROFILE profile of the
// shared credentials file (AWS_SHARED_CREDENTIALS_FILE, by default
// ~/.aws/credentials). Open returns the Backend.
//
// Every object is written with one PUT carrying a signed Content-MD5,
// which the server checks; objects above 200 MiB
// (no restic pack is that large) go up as a multipart upload in 200 MiB
// parts. An S3 PUT is atomic, so a failed upload never leaves a partial
// object behind.
//
// Errors carry the repository location (never credentials) and the
// server's answer. Missing objects satisfy IsNotExist; authentication,
// permission, missing-bucket and wrong-region failures, reads past the end
// of an object and length mismatches are permanent; throttling, 5xx
// answers and network failures are transient, for a retry layer to
// handle. minio-go itself retries a request at most twice, quickly, so
// that a permanent failure is reported within seconds.
package s3
