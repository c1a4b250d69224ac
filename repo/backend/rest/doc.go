// Package rest stores a restic-format repository on a server speaking
// restic's REST protocol, version 2: rest-server, "rclone serve restic" or
// any compatible server. Locations look like restic's:
//
//	rest:http://host:8000/
//	rest:https://user:pass@host:8000/path/
//
// Credentials come from the URL or, when the URL holds none, from
// RESTIC_REST_USERNAME and RESTIC_REST_PASSWORD, exactly as restic 0.18
// reads them. They travel as HTTP basic authentication, never in a request
// URL, and never appear in Location or in an error.
//
// Errors: 404 is a not-exist error, 416 (a read past the end) wraps
// backend.ErrShortFile, and 401, 403 and 507 are permanent; other status
// codes, timeouts, resets and requests that stop making progress are
// transient, for the retry package to retry. The server may not replace
// files atomically, so the backend reports HasAtomicReplace false.
package rest
