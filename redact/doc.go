// Package redact keeps secrets out of everything kamal-backup prints.
//
// Two tools work together:
//
//   - [Secret] holds a secret in memory and prints itself as [Redacted]
//     through fmt (every verb), encoding/json, encoding.TextMarshaler, YAML
//     and log/slog, so a configuration struct can be logged or dumped
//     without leaking. Only [Secret.Reveal] returns the value.
//   - [Redactor] cleans text produced elsewhere: a child process's stderr,
//     an error from a library, a repository URL. [Redactor.Writer] does the
//     same for a stream, and [Handler] for a slog handler.
//
// [Redactor.Redact] replaces, in this order:
//
//  1. Every registered value ([Redactor.Add], [Redactor.AddEnv]) and its
//     URL-, JSON-, Go-quoted and base64-encoded forms, wherever it occurs.
//     All occurrences of all values are found first, overlapping or
//     adjacent ones are merged, and each merged run becomes one [Redacted];
//     so of two secrets where one is a prefix of, or overlaps, the other,
//     neither survives in part.
//  2. The password of a URL: "scheme://user:pass@host" becomes
//     "scheme://user:[REDACTED]@host". The user name is kept, so operators
//     can still tell which account failed; a lone user name
//     ("sftp:user@host:/path", "rest:https://user@host/") is not a secret
//     and is left alone. A token used as a lone user name must be
//     registered with Add to be removed.
//  3. The value of a secret-looking key: one containing password, passwd,
//     passphrase, secret, token, credential, signature, authorization,
//     authentication, api_key, access_key or private_key, or with pass, pwd
//     or auth as a word between '_', '-' or '.' (DB_PASSWORD,
//     X-Amz-Signature, x-auth-token; not "passed" or "author"), case
//     insensitively, in these shapes: "key=value" anywhere (logfmt, libpq
//     conninfo, URL query strings, Ruby's "key"=>value); "key:value" with
//     no space, after a space or an opening bracket (Go's %+v of a
//     struct); a quoted key ("key": value, as in JSON); and "KEY: value" at
//     the start of a line (YAML, HTTP headers) or of a quoted string
//     (curl -H "Authorization: Bearer x"), where the value is the rest of
//     the line or string. A value is a quoted string, whose quotes are kept, or
//     runs to the next space, '&' or quote. "key: value" in the middle of
//     a line is prose ("wrong password: ciphertext verification failed")
//     and is kept.
//
// Values shorter than [MinLen] bytes are not registered: they occur in
// ordinary text, and replacing them would mangle every message without
// protecting anything.
package redact
