package cli

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
)

// Redacted replaces every secret in printed output.
const Redacted = "[REDACTED]"

// urlCredentials matches the password of "scheme://user:password@host".
var urlCredentials = regexp.MustCompile(`(://[^:/@\s]*):([^@/\s]+)@`)

// Redactor removes secrets from text: the literal values registered with
// Add and the password part of any URL ("https://user:pw@host"). It is
// safe for concurrent use.
type Redactor struct {
	mu      sync.Mutex
	secrets []string
}

// MinSecretLen is the shortest secret Add registers: shorter strings
// occur in ordinary text ("x" in "exit"), so replacing them would mangle
// every message without protecting anything worth protecting.
const MinSecretLen = 4

// Add registers a secret; strings shorter than MinSecretLen are ignored.
func (r *Redactor) Add(secret string) {
	if len(secret) < MinSecretLen {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		if s == secret {
			return
		}
	}
	r.secrets = append(r.secrets, secret)
	// Longest first, so a secret containing another is replaced whole.
	for i := len(r.secrets) - 1; i > 0 && len(r.secrets[i]) > len(r.secrets[i-1]); i-- {
		r.secrets[i], r.secrets[i-1] = r.secrets[i-1], r.secrets[i]
	}
}

// String returns s with every secret replaced by Redacted.
func (r *Redactor) String(s string) string {
	r.mu.Lock()
	secrets := r.secrets
	r.mu.Unlock()
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, Redacted)
	}
	return urlCredentials.ReplaceAllString(s, "$1:"+Redacted+"@")
}

// Writer returns a writer that redacts whole lines before passing them to
// w, so a secret split across two Write calls is still caught. Close
// writes a final unterminated line.
func (r *Redactor) Writer(w io.Writer) io.WriteCloser {
	return &redactWriter{r: r, w: w}
}

type redactWriter struct {
	mu  sync.Mutex
	r   *Redactor
	w   io.Writer
	buf []byte
}

// Write buffers p and writes out every complete line, redacted.
func (rw *redactWriter) Write(p []byte) (int, error) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.buf = append(rw.buf, p...)
	i := bytes.LastIndexByte(rw.buf, '\n')
	if i < 0 {
		return len(p), nil
	}
	out := rw.r.String(string(rw.buf[:i+1]))
	rw.buf = append(rw.buf[:0], rw.buf[i+1:]...)
	if _, err := io.WriteString(rw.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close writes what remains of an unterminated last line.
func (rw *redactWriter) Close() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if len(rw.buf) == 0 {
		return nil
	}
	out := rw.r.String(string(rw.buf))
	rw.buf = rw.buf[:0]
	_, err := io.WriteString(rw.w, out)
	return err
}
