package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kamal-backup/kamal-backup/evidence"
)

// maxEvidenceFileSize bounds the evidence and signature files verify
// reads.
const maxEvidenceFileSize = 64 << 20

// evidenceKeygenCmd creates a signing key pair.
type evidenceKeygenCmd struct {
	Out   string `name:"out" required:"" placeholder:"PREFIX" help:"Write the private key to PREFIX.key (mode 0600) and the public key to PREFIX.pub."`
	Force bool   `name:"force" help:"Replace existing key files."`
}

// Help is the detailed help of "evidence keygen".
func (c *evidenceKeygenCmd) Help() string {
	return `Creates an ed25519 key pair for signing evidence: PREFIX.key, the private
key (PEM, PKCS #8, mode 0600), and PREFIX.pub, the public key (PEM, PKIX),
which reviewers use to verify. It prints the key ID that signatures name,
never the key. Existing files are kept unless --force is given.

Keep the private key off the backup server if the evidence is meant to
prove something to someone who does not trust that server: sign where
the key lives. "evidence --sign" refuses a private key file that group
or others may read.

Examples:
  kamal-backup evidence keygen --out evidence
  kamal-backup evidence keygen --out /secure/kamal-evidence --force

Exit codes: 0 success; 1 error (a key file exists, cannot be written).`
}

// Run creates the key pair.
func (c *evidenceKeygenCmd) Run(ctx context.Context, g *Globals) error {
	files, err := evidence.WriteKeyPair(c.Out, c.Force)
	if err != nil {
		return fmt.Errorf("evidence keygen: %w", err)
	}
	fmt.Fprintf(g.stdout, "created signing key %s\n  private key: %s (keep it secret)\n  public key:  %s (give it to reviewers)\n",
		files.KeyID, files.Key, files.Pub)
	return nil
}

// validateSign checks the --sign and --signature flags of "evidence".
func (c *evidenceCmd) validateSign() error {
	switch {
	case c.Sign == "" && c.Signature != "":
		return errors.New("--signature needs --sign KEYFILE")
	case c.Sign == "":
		return nil
	case c.Format != evidence.FormatJSON:
		return fmt.Errorf("--sign signs the JSON evidence only, not --format %s: use --format json", c.Format)
	case c.Output == "" && c.Signature == "":
		return errors.New("--sign needs --output FILE (the signature goes to FILE.sig) or --signature FILE")
	}
	return nil
}

// signatureFile is where --sign writes the signature.
func (c *evidenceCmd) signatureFile() string {
	if c.Signature != "" {
		return c.Signature
	}
	return c.Output + ".sig"
}

// signingKey loads the --sign key; nil without --sign.
func (c *evidenceCmd) signingKey() (ed25519.PrivateKey, error) {
	if c.Sign == "" {
		return nil, nil
	}
	key, err := evidence.LoadPrivateKey(c.Sign)
	if err != nil {
		return nil, fmt.Errorf("--sign: %w", err)
	}
	return key, nil
}

// writeSignature signs the JSON of doc with key and writes the detached
// signature file; nothing when key is nil. The JSON rendering is
// canonical, so it signs exactly what write wrote.
func (c *evidenceCmd) writeSignature(g *Globals, doc *evidence.Document, key ed25519.PrivateKey) error {
	if key == nil {
		return nil
	}
	var js bytes.Buffer
	if err := evidence.Render(doc, evidence.FormatJSON, &js); err != nil {
		return err
	}
	now := time.Now
	if c.now != nil {
		now = c.now
	}
	sig, err := evidence.Sign(js.Bytes(), key, now())
	if err != nil {
		return err
	}
	name := c.signatureFile()
	if err := writeFileAtomic(name, sig, 0o644); err != nil {
		return fmt.Errorf("write signature: %w", err)
	}
	g.log.Info("evidence signed", "signature", name, "key_id", evidence.KeyID(key.Public().(ed25519.PublicKey)))
	return nil
}

// writeFileAtomic replaces name with data through a new file of mode perm.
func writeFileAtomic(name string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// evidenceVerifyCmd verifies a signed evidence file.
type evidenceVerifyCmd struct {
	File      string `arg:"" name:"file" placeholder:"FILE" help:"The evidence JSON to verify."`
	Pubkey    string `name:"pubkey" required:"" placeholder:"KEY" help:"The signer's public key (PREFIX.pub of \"evidence keygen\")."`
	Signature string `name:"signature" placeholder:"FILE" help:"The detached signature (default: FILE.sig)."`
	History   bool   `name:"history" help:"Also check that the history entries the evidence anchors are still in the app's history, unedited (needs the configuration, the state directory and the repository)."`
	Config    string `short:"c" name:"config" envvar:"KAMAL_BACKUP_CONFIG" default:"config/kamal-backup.yml" placeholder:"FILE" help:"kamal-backup configuration, for --history (default: ${default})."`
}

// Help is the detailed help of "evidence verify".
func (c *evidenceVerifyCmd) Help() string {
	return `Verifies that an evidence JSON file is exactly what the holder of the
private key signed with "evidence --sign": the signature covers the
canonical form of the JSON (docs/EVIDENCE_JSON.md, "Signing"), so
whitespace and key order may change, but any changed value, added or
removed field fails. It needs only the two files and the public key:
no configuration, repository or password.

On success it prints one line: the key ID, when the evidence was
generated and its verdict.

With --history it also reads the app's hash-chained history (the state
directory and its mirror in the repository, as "evidence history" does)
and checks that every entry the signed evidence anchors is still there
with the same hash: an entry edited, or deleted from both copies, after
the evidence was signed is reported.

Examples:
  kamal-backup evidence verify evidence.json --pubkey evidence.pub
  kamal-backup evidence verify evidence.json --pubkey evidence.pub --history -c config/kamal-backup.yml
  kamal-backup evidence verify evidence.json --pubkey evidence.pub --signature signatures/evidence.json.sig

Exit codes: 0 the signature holds; 1 it does not (the evidence was changed
after signing, or another key signed it), or a file is missing or
malformed.`
}

// Run verifies the file.
func (c *evidenceVerifyCmd) Run(ctx context.Context, g *Globals) error {
	sigFile := c.Signature
	if sigFile == "" {
		sigFile = c.File + ".sig"
	}
	pub, err := evidence.LoadPublicKey(c.Pubkey)
	if err != nil {
		return fmt.Errorf("--pubkey: %w", err)
	}
	doc, err := readLimited(c.File)
	if err != nil {
		return err
	}
	sig, err := readLimited(sigFile)
	if err != nil {
		return err
	}
	s, err := evidence.Verify(doc, sig, pub)
	if err != nil {
		return fmt.Errorf("evidence verify %s with signature %s: %w", c.File, sigFile, err)
	}
	if err := c.verifyHistoryAnchors(ctx, g, doc); err != nil {
		return err
	}
	var head struct {
		GeneratedAt string `json:"generated_at"`
		Objectives  struct {
			Verdict string `json:"verdict"`
		} `json:"objectives"`
	}
	json.Unmarshal(doc, &head) // the document is valid JSON; a field of another shape prints as unknown
	fmt.Fprintf(g.stdout, "signature OK: key %s, generated_at %s, verdict %s\n",
		s.KeyID, printable(head.GeneratedAt), printable(head.Objectives.Verdict))
	return nil
}

// verifyHistoryAnchors checks, with --history, that the history entries
// the verified document anchors are still in the app's history with the
// same hashes, and that the history itself is intact.
func (c *evidenceVerifyCmd) verifyHistoryAnchors(ctx context.Context, g *Globals, raw []byte) error {
	if !c.History {
		return nil
	}
	var doc evidence.Document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("evidence verify %s: decode the document: %w", c.File, err)
	}
	if doc.History.Value == nil {
		return fmt.Errorf("evidence verify %s: the document holds no history to check", c.File)
	}
	cfg, r, err := g.openAppRepository(ctx, c.Config)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	var problems []string
	err = g.readLocked(ctx, r, func(ctx context.Context) error {
		var err error
		problems, err = evidence.CheckHistory(ctx, cfg, r, &doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("evidence verify %s: read the history: %w", c.File, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("evidence verify %s: the signature holds but the history changed since: %s", c.File, strings.Join(problems, "; "))
	}
	fmt.Fprintf(g.stdout, "history OK: the %d entries the evidence anchors are unchanged\n", len(doc.History.Value.Anchors()))
	return nil
}

// readLimited reads a file of at most maxEvidenceFileSize bytes.
func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEvidenceFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxEvidenceFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB", name, maxEvidenceFileSize>>20)
	}
	return b, nil
}

// printable returns s, quoted when it holds characters that are not
// printable; "unknown" when empty.
func printable(s string) string {
	if s == "" {
		return "unknown"
	}
	if q := strconv.Quote(s); q[1:len(q)-1] != s {
		return q
	}
	return s
}
