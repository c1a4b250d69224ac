package evidence

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// signNow is the clock of the signing tests.
var signNow = time.Date(2026, 11, 27, 14, 13, 0, 500, time.UTC)

// testKeys generates a key pair and returns the private and public key.
func testKeys(t *testing.T) (privPEM, pubPEM []byte) {
	t.Helper()
	privPEM, pubPEM, id, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(id) != 16 {
		t.Fatalf("key id %q", id)
	}
	return privPEM, pubPEM
}

// signFixture signs the golden evidence with a new key and returns the
// document, the signature file and the public key.
func signFixture(t *testing.T) (doc, sig []byte, pubPEM []byte) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("testdata", "evidence.json"))
	if err != nil {
		t.Fatal(err)
	}
	privPEM, pubPEM := testKeys(t)
	priv, err := ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	sig, err = Sign(doc, priv, signNow)
	if err != nil {
		t.Fatal(err)
	}
	return doc, sig, pubPEM
}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	doc, sig, pubPEM := signFixture(t)
	pub, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Verify(doc, sig, pub)
	if err != nil {
		t.Fatalf("Verify: %v\nsignature: %s", err, sig)
	}
	if s.KeyID != KeyID(pub) || !s.SignedAt.Equal(signNow.Truncate(time.Second)) || s.Kind != SignatureKind {
		t.Errorf("signature %+v", s)
	}
	var fields map[string]any
	if err := json.Unmarshal(sig, &fields); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema_version", "kind", "algorithm", "canonicalization", "key_id", "signed_at", "signature"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("signature file has no %q: %s", k, sig)
		}
	}
	if fields["signed_at"] != "2026-11-27T14:13:00Z" || fields["algorithm"] != "ed25519" {
		t.Errorf("signature file %s", sig)
	}
}

// TestVerifyEditedByte changes, one at a time, every letter and digit of
// the signed document (values and keys) and expects each edit to fail.
func TestVerifyEditedByte(t *testing.T) {
	t.Parallel()
	doc, sig, pubPEM := signFixture(t)
	pub, _ := ParsePublicKey(pubPEM)
	edits, mismatches := 0, 0
	for i, c := range doc {
		var repl byte
		switch {
		case c >= '0' && c < '9', c >= 'a' && c < 'z', c >= 'A' && c < 'Z':
			repl = c + 1
		case c == '9', c == 'z', c == 'Z':
			repl = c - 1
		default:
			continue
		}
		edited := bytes.Clone(doc)
		edited[i] = repl
		edits++
		_, err := Verify(edited, sig, pub)
		if err == nil {
			t.Fatalf("byte %d edited (%q to %q) still verifies: %s", i, c, repl, around(edited, i))
		}
		if errors.Is(err, ErrSignatureMismatch) {
			mismatches++
		}
	}
	// Most edits keep the JSON valid (values, keys); those in literals
	// (true, null) make it invalid, which must fail too.
	if edits < 1000 || mismatches < edits*9/10 {
		t.Errorf("%d edits, %d signature mismatches", edits, mismatches)
	}
}

// around returns the bytes around i.
func around(b []byte, i int) string {
	return string(b[max(0, i-30):min(len(b), i+30)])
}

// TestVerifyReformatted verifies the same values rendered differently:
// other key order, no indentation, other indentation, escaped slashes
// and Unicode.
func TestVerifyReformatted(t *testing.T) {
	t.Parallel()
	doc, sig, pubPEM := signFixture(t)
	pub, _ := ParsePublicKey(pubPEM)
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	compact, err := json.Marshal(v) // keys sorted, HTML escaped, no whitespace
	if err != nil {
		t.Fatal(err)
	}
	tabs, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	escaped := bytes.ReplaceAll(doc, []byte(`"/srv/peerapp/repo"`), []byte(`"\/srv\/peer\u0061pp/repo"`))
	for name, d := range map[string][]byte{"compact": compact, "tabs": tabs, "escaped": escaped} {
		if bytes.Equal(d, doc) {
			t.Fatalf("%s: not reformatted", name)
		}
		if _, err := Verify(d, sig, pub); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestVerifyWrongKey(t *testing.T) {
	t.Parallel()
	doc, sig, _ := signFixture(t)
	_, otherPEM := testKeys(t)
	other, _ := ParsePublicKey(otherPEM)
	_, err := Verify(doc, sig, other)
	if !errors.Is(err, ErrSignatureMismatch) || !strings.Contains(err.Error(), KeyID(other)) {
		t.Errorf("other key: %v", err)
	}
	// A signature file claiming the other key's ID still fails.
	var s Signature
	if err := json.Unmarshal(sig, &s); err != nil {
		t.Fatal(err)
	}
	s.KeyID = KeyID(other)
	forged, _ := json.Marshal(s)
	if _, err := Verify(doc, forged, other); !errors.Is(err, ErrSignatureMismatch) {
		t.Errorf("relabelled signature: %v", err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	doc, sig, pubPEM := signFixture(t)
	pub, _ := ParsePublicKey(pubPEM)
	for name, tc := range map[string]struct{ doc, sig, want string }{
		"truncated doc":   {string(doc[:len(doc)/2]), string(sig), "evidence file"},
		"two values":      {string(doc) + "{}", string(sig), "after the top-level value"},
		"duplicate key":   {`{"a":1,"a":2}`, string(sig), "appears twice"},
		"not UTF-8":       {"{\"a\":\"\xff\"}", string(sig), "UTF-8"},
		"empty sig":       {string(doc), "", "not a signature"},
		"other algorithm": {string(doc), strings.Replace(string(sig), `"ed25519"`, `"rsa"`, 1), `algorithm "rsa"`},
		"short signature": {string(doc), `{"kind":"evidence_signature","algorithm":"ed25519","canonicalization":"` + Canonicalization + `","signature":"AAAA"}`, "3 bytes"},
	} {
		_, err := Verify([]byte(tc.doc), []byte(tc.sig), pub)
		if err == nil || errors.Is(err, ErrSignatureMismatch) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", name, err, tc.want)
		}
	}
}

func TestCanonicalize(t *testing.T) {
	t.Parallel()
	in := "{ \"b\": [1.50, -0, 2e3, true, null],\n \"a\": {\"z\": \"\\u003c\\/\\ud83d\\ude00\u2028\\u0007\", \"é\": \"x\", \"Z\": {}},\n \"\": []}\n"
	want := `{"":[],"a":{"Z":{},"z":"</😀\u2028\u0007","é":"x"},"b":[1.50,-0,2e3,true,null]}`
	got, err := Canonicalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("Canonicalize:\n got %s\nwant %s", got, want)
	}
}

// TestWriteStringMatchesEncodingJSON checks the escaping rule against
// encoding/json for every ASCII character and a few others.
func TestWriteStringMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	var all strings.Builder
	for r := rune(0); r < 0x80; r++ {
		all.WriteRune(r)
	}
	for _, s := range []string{all.String(), "é\u2028\u2029\u00a0😀\ufffd", ""} {
		var buf, want bytes.Buffer
		writeString(&buf, s)
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if buf.String()+"\n" != want.String() {
			t.Errorf("writeString(%q) = %s, encoding/json %s", s, buf.String(), want.String())
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	t.Parallel()
	privPEM, pubPEM := testKeys(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ec)
	ecPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})
	bad := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not DER")})
	for name, tc := range map[string]struct {
		b       []byte
		private bool
		want    string
	}{
		"garbage":           {[]byte("hello"), true, "no PEM block"},
		"public as private": {pubPEM, true, "this is a public key"},
		"private as public": {privPEM, false, "this is a private key"},
		"ecdsa":             {ecPEM, true, "not ed25519"},
		"bad DER":           {bad, true, "not a valid PKCS #8 key"},
	} {
		var err error
		if tc.private {
			_, err = ParsePrivateKey(tc.b)
		} else {
			_, err = ParsePublicKey(tc.b)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), string(privPEM[40:60])) {
			t.Errorf("%s: the error holds key material: %v", name, err)
		}
	}
}

func TestWriteKeyPairAndLoad(t *testing.T) {
	t.Parallel()
	prefix := filepath.Join(t.TempDir(), "evidence")
	files, err := WriteKeyPair(prefix, false)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]fs.FileMode{files.Key: 0o600, files.Pub: 0o644} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	priv, err := LoadPrivateKey(files.Key)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := LoadPublicKey(files.Pub)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) || KeyID(pub) != files.KeyID {
		t.Errorf("the key files do not match: id %s, want %s", KeyID(pub), files.KeyID)
	}
	before, _ := os.ReadFile(files.Key)
	if _, err := WriteKeyPair(prefix, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second WriteKeyPair: %v", err)
	}
	if after, _ := os.ReadFile(files.Key); !bytes.Equal(before, after) {
		t.Error("the refused WriteKeyPair replaced the key")
	}
	again, err := WriteKeyPair(prefix, true)
	if err != nil || again.KeyID == files.KeyID {
		t.Errorf("overwrite: %+v, %v", again, err)
	}
}

func TestLoadPrivateKeyRefusesOpenMode(t *testing.T) {
	t.Parallel()
	files, err := WriteKeyPair(filepath.Join(t.TempDir(), "k"), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(files.Key, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = LoadPrivateKey(files.Key)
	if err == nil || !strings.Contains(err.Error(), "mode 0644") || !strings.Contains(err.Error(), files.Key) {
		t.Errorf("mode 0644: %v", err)
	}
	if err := os.Chmod(files.Key, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKey(files.Key); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}
