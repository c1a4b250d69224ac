// Package location turns a repository location string, as given to
// restic's -r flag or RESTIC_REPOSITORY, into a backend.Backend.
//
// Supported locations: a plain path or "local:/path"; "rest:http(s)://..."
// (restic's REST server); "s3:host/bucket[/prefix]" or
// "s3:https://host/bucket[/prefix]" (AWS S3 and compatible servers);
// "sftp:user@host:/path" (through the ssh client); and
// "rclone:remote:path" (through "rclone serve restic --stdio"). REST and
// S3 backends retry transient failures. The other restic location types
// ("swift:", "b2:", "azure:", "gs:", "smb:") are recognised and rejected
// with an error naming the type, never the rest of the location, which
// may hold credentials.
package location
