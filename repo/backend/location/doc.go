// Package location turns a repository location string, as given to
// restic's -r flag or RESTIC_REPOSITORY, into a backend.Backend.
//
// Only local repositories are supported so far: a plain path or
// "local:/path". The other restic location types ("s3:", "rest:", "sftp:",
// "rclone:", "swift:", "b2:", "azure:", "gs:") are recognised and
// rejected with an error naming the type, never the rest of the location,
// which may hold credentials.
package location
