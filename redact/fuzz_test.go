package redact

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzRedact embeds a registered secret in random text, a URL and JSON,
// and checks that no encoded form of it survives between the [REDACTED]
// markers, through Redact and through a LineWriter fed in two writes.
func FuzzRedact(f *testing.F) {
	f.Add("before ", "s3cr3t", " after", 3)
	f.Add("password=", "abc", "&x=1", 10)
	f.Add("[REDACTE", "D]ab", "D]ab", 0)
	f.Add("line\n", "multi\nline\nsecret", "\ntail", 12)
	f.Add("€", "\xac\xe2\x82", `"`, 1)
	f.Add("prefix-long ", "prefix", "-long pre", 5)
	f.Fuzz(func(t *testing.T, prefix, secret, suffix string, split int) {
		if len(secret) < MinLen {
			return
		}
		var r Redactor
		r.Add(secret)
		jsonText, _ := json.Marshal(map[string]string{"note": prefix + secret + suffix})
		texts := []string{
			prefix + secret + suffix,
			prefix + "s3:https://key:" + secret + "@host/b?X-Amz-Signature=" + secret + suffix,
			string(jsonText),
		}
		for _, form := range encodings(secret) {
			texts = append(texts, prefix+form+suffix)
		}
		for _, text := range texts {
			checkRedacted(t, "Redact", r.Redact(text), secret)
			var out bytes.Buffer
			w := r.Writer(&out)
			k := 0
			if len(text) > 0 {
				k = (split%len(text) + len(text)) % len(text)
			}
			w.Write([]byte(text[:k]))
			w.Write([]byte(text[k:]))
			w.Close()
			checkRedacted(t, "Writer", out.String(), secret)
		}
	})
}

func checkRedacted(t *testing.T, via, out, secret string) {
	t.Helper()
	for _, piece := range strings.Split(out, Redacted) {
		for _, form := range encodingsForTest(secret) {
			if strings.Contains(piece, form) {
				t.Fatalf("%s output %q keeps %q (secret %q)", via, out, form, secret)
			}
		}
	}
}
