package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/evidence"
	"github.com/kamal-backup/kamal-backup/redact"
	"github.com/kamal-backup/kamal-backup/repo"
)

// errEvidenceNotPass is returned by "evidence --strict" when the overall
// verdict is not pass; it maps to exit code 1.
var errEvidenceNotPass = errors.New("the recovery objectives are not met")

// evidenceEnv are variables whose secrets are redacted from the evidence
// besides those the configuration knows: secret-looking names have their
// values registered, every other value its URL passwords.
var evidenceEnv = append([]string{"AWS_ACCESS_KEY_ID", "DATABASE_URL", "PGPASSWORD", "MYSQL_PWD",
	"RESTIC_REPOSITORY", "GOOGLE_ACCESS_TOKEN", "OS_PASSWORD", "RCLONE_CONFIG_PASS", "RAILS_MASTER_KEY",
	"SECRET_KEY_BASE", "KAMAL_REGISTRY_PASSWORD"}, secretEnv...)

// evidenceCmd collects and prints the evidence of the app's backups.
type evidenceCmd struct {
	Config string `short:"c" name:"config" envvar:"KAMAL_BACKUP_CONFIG" default:"config/kamal-backup.yml" placeholder:"FILE" help:"kamal-backup configuration (default: ${default})."`
	Format string `name:"format" enum:"json,markdown,html" default:"json" help:"Output format: json, markdown or html (default: ${default})."`
	Output string `short:"o" name:"output" placeholder:"FILE" help:"Write the evidence to FILE instead of standard output."`
	Strict bool   `name:"strict" help:"Exit 1 unless every declared objective passes (for CI)."`
	Window string `name:"window" default:"30d" placeholder:"INTERVAL" help:"How far back the backup history looks: 30d, 4w, 720h (default: ${default})."`

	// Signing (evidence_sign.go).
	Sign      string `name:"sign" placeholder:"KEYFILE" help:"Sign the JSON with this ed25519 private key (from \"evidence keygen\"), writing a detached signature."`
	Signature string `name:"signature" placeholder:"FILE" help:"Where --sign writes the signature (default: the --output file plus .sig)."`

	window time.Duration
	// now and tools are test seams: the clock and the tool versions;
	// nil means the real ones.
	now   func() time.Time
	tools func(context.Context) map[string]*string
}

// Help is the detailed help of "evidence".
func (c *evidenceCmd) Help() string {
	return `Collects the evidence a security reviewer asks for: what is backed up,
where, how often, the latest snapshots, the last check and restore drill,
the backup history over a window and the verdict on the recovery
objectives declared in the configuration (evidence: rpo, rto,
drill_max_age, check_max_age). The snapshots are read straight from the
repository, once; the check and drill come from the state directory. No
secret is ever printed.

The JSON (the default) keeps every field of the Ruby kamal-backup's
evidence and adds new ones; docs/EVIDENCE_JSON.md describes each field.
Markdown and HTML tell the same facts for people.

It takes a shared lock on the repository unless --no-lock is given, and
never creates the repository.

Examples:
  kamal-backup evidence > evidence.json
  kamal-backup evidence --format markdown --output evidence.md
  kamal-backup evidence --strict --window 7d
  kamal-backup evidence --sign evidence.key --output evidence.json
      (writes evidence.json and its signature evidence.json.sig; check
      them with "kamal-backup evidence verify evidence.json --pubkey
      evidence.pub")

Exit codes: 0 success; 1 error, or --strict and the verdict is not pass;
10, 11 and 12 as for every command.`
}

// Validate parses the window.
func (c *evidenceCmd) Validate() error {
	w, err := kbackup.ParseSchedule(c.Window)
	if err != nil {
		return fmt.Errorf("--window: %w", err)
	}
	c.window = w
	return c.validateSign()
}

// Run loads the configuration, collects the evidence and writes it.
func (c *evidenceCmd) Run(ctx context.Context, g *Globals) error {
	if c.window == 0 {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	key, err := c.signingKey()
	if err != nil {
		return err
	}
	cfg, r, err := g.openAppRepository(ctx, c.Config)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	tools := c.tools
	if tools == nil { // the tools run while the lock settles, after the key derivation
		tctx, cancel := context.WithCancel(ctx)
		defer cancel()
		tools = evidence.StartToolVersions(tctx)
	}
	var doc *evidence.Document
	err = g.readLocked(ctx, r, func(ctx context.Context) error {
		var err error
		doc, err = evidence.Collect(ctx, cfg, r, evidence.Options{Now: c.now, Window: c.window, ToolVersions: tools,
			Version: programVersion(), Env: g.lookup, Redactor: envRedactor(g.lookup)})
		return err
	})
	if err != nil {
		return err
	}
	if err := c.write(g, doc); err != nil {
		return err
	}
	if err := c.writeSignature(g, doc, key); err != nil {
		return err
	}
	if c.Strict && doc.Objectives.Verdict != evidence.VerdictPass {
		return fmt.Errorf("%w (verdict %s): %s", errEvidenceNotPass, doc.Objectives.Verdict, strings.Join(doc.Objectives.Reasons, "; "))
	}
	return nil
}

// readLocked runs fn under a shared lock on r, or without one with
// --no-lock. The snapshots and the index, which both evidence commands
// read, load while the lock settles (repo.LockOptions.Prefetch): they
// are kept for fn only if the lock is granted; otherwise readLocked
// returns the lock's error and fn never runs.
func (g *Globals) readLocked(ctx context.Context, r *repo.Repository, fn func(context.Context) error) error {
	if g.NoLock {
		return fn(ctx)
	}
	lock, lctx, err := r.LockWithOptions(ctx, repo.LockOptions{RetryLock: g.RetryLock, Prefetch: repo.PrefetchSnapshots | repo.PrefetchIndex})
	if err != nil {
		return err
	}
	err = fn(lctx)
	if err != nil && lctx.Err() != nil && ctx.Err() == nil {
		err = context.Cause(lctx)
	}
	if uerr := lock.Unlock(); uerr != nil {
		g.log.Warn("unlock repository", "err", uerr)
	}
	return err
}

// write renders doc to --output, replacing the file atomically, or to
// standard output.
func (c *evidenceCmd) write(g *Globals, doc *evidence.Document) error {
	if c.Output == "" {
		return evidence.Render(doc, c.Format, g.stdout)
	}
	var buf bytes.Buffer
	if err := evidence.Render(doc, c.Format, &buf); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.Output), "."+filepath.Base(c.Output)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write evidence: %w", err)
	}
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.Output)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write evidence: %w", err)
	}
	g.log.Info("evidence written", "file", c.Output, "format", c.Format, "verdict", doc.Objectives.Verdict)
	return nil
}

// envRedactor returns a redactor of the secrets in the environment
// variables of evidenceEnv.
func envRedactor(lookup func(string) (string, bool)) *redact.Redactor {
	var environ []string
	for _, name := range evidenceEnv {
		if v, ok := lookup(name); ok {
			environ = append(environ, name+"="+v)
		}
	}
	r := &redact.Redactor{}
	r.AddEnv(environ)
	return r
}

// openAppRepository loads the configuration at path and opens its
// repository, never creating it, for the commands that only read the
// app's evidence. The caller closes the repository with g.closeRepo.
func (g *Globals) openAppRepository(ctx context.Context, path string) (*kbackup.Config, *repo.Repository, error) {
	cfg, err := g.loadAppConfig(path, false)
	if err != nil {
		return nil, nil, err
	}
	r, err := kbackup.OpenRepository(ctx, cfg, kbackup.RepositoryOptions{Logger: g.log, Env: g.lookup, NoInit: true})
	if err != nil {
		return nil, nil, err
	}
	return cfg, r, nil
}
