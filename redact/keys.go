package redact

import "strings"

// secretWords are the fragments that make any key containing them
// secret-looking; secretKeyWords must appear as a separate word, so that
// "passed", "bypass" and "author" are not secret.
var (
	secretWords = []string{"password", "passwd", "passphrase", "secret", "token", "credential",
		"signature", "authorization", "authentication", "apikey", "api_key", "api-key", "api.key",
		"accesskey", "access_key", "access-key", "access.key", "privatekey", "private_key",
		"private-key", "private.key"}
	secretKeyWords = []string{"pass", "pwd", "auth"}
)

// isSecretKey reports whether key, a run of letters, digits and "_.-",
// names a secret in text: see rule 3 of the package documentation.
func isSecretKey(key string) bool {
	if len(key) < 3 {
		return false
	}
	k := strings.ToLower(key)
	for _, w := range secretWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '_' || r == '.' || r == '-' }) {
		for _, w := range secretKeyWords {
			if part == w {
				return true
			}
		}
	}
	return false
}

// IsSecretName reports whether an environment variable or field named
// name holds a secret: its name contains password, passwd, passphrase,
// secret, token, credential, signature, authorization, authentication,
// api_key, access_key or private_key, or has pass, pwd, pw, key or auth as
// a word (AWS_SECRET_ACCESS_KEY, MYSQL_PWD, RAILS_MASTER_KEY), case
// insensitively. Names whose last word is file, path, dir, command or cmd
// (RESTIC_PASSWORD_FILE) say where a secret is, not what it is, and are
// not secret.
func IsSecretName(name string) bool {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
	if len(words) == 0 {
		return false
	}
	switch words[len(words)-1] {
	case "file", "path", "dir", "command", "cmd":
		return false
	}
	if isSecretKey(strings.Join(words, "_")) {
		return true
	}
	for _, w := range words {
		if w == "pw" || w == "key" {
			return true
		}
	}
	return false
}
