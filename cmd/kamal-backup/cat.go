package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// maxKeyFile bounds the key file cat reads.
const maxKeyFile = 1 << 20

// catCmd prints one repository object as JSON.
type catCmd struct {
	Type string `arg:"" name:"type" enum:"config,snapshot,key,index,masterkey" help:"Object type: config, snapshot, key, index (masterkey is refused)."`
	ID   string `arg:"" optional:"" name:"id" help:"ID or unique prefix (snapshot also accepts latest)."`
}

// Help is the detailed help of "repo cat".
func (c *catCmd) Help() string {
	return `Prints a decrypted repository object as indented JSON, as restic's cat does,
except that secrets are never printed: "cat key" shows the key file with
its encrypted master key ("data") replaced by [REDACTED], and "cat
masterkey" is refused.

Examples:
  kamal-backup repo cat config
  kamal-backup repo cat snapshot latest
  kamal-backup repo cat key 9f2585b9

Exit codes: 0 printed; 1 error, such as no such object, or "cat
masterkey"; 10, 11 and 12 as for every command.`
}

// Validate checks that an ID is given when the type needs one.
func (c *catCmd) Validate() error {
	switch c.Type {
	case "masterkey":
		return errors.New("refusing to print the master key: it is secret")
	case "config":
		if c.ID != "" {
			return errors.New("cat config takes no ID")
		}
	default:
		if c.ID == "" {
			return fmt.Errorf("cat %s needs an ID", c.Type)
		}
	}
	return nil
}

// Run prints the object.
func (c *catCmd) Run(ctx context.Context, g *Globals) error {
	return g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		v, err := c.load(ctx, r)
		if err != nil {
			return err
		}
		if raw, ok := v.(json.RawMessage); ok {
			// Stored JSON is printed as stored, like restic's cat.
			_, err = g.stdout.Write(append(raw, '\n'))
			return err
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = g.stdout.Write(append(b, '\n'))
		return err
	})
}

// load returns the object to print.
func (c *catCmd) load(ctx context.Context, r *repo.Repository) (any, error) {
	switch c.Type {
	case "config":
		return r.Config(), nil
	case "snapshot":
		return r.FindSnapshot(ctx, c.ID, repo.Filter{})
	case "key":
		return loadRedactedKey(ctx, r, c.ID)
	case "index":
		return r.LoadJSON(ctx, backend.IndexFile, c.ID)
	}
	return nil, fmt.Errorf("cat %s is not supported", c.Type)
}

// loadRedactedKey reads the key file named by prefix and redacts it.
func loadRedactedKey(ctx context.Context, r *repo.Repository, prefix string) (cli.RedactedKeyFile, error) {
	name, err := r.Find(ctx, backend.KeyFile, prefix)
	if err != nil {
		return cli.RedactedKeyFile{}, err
	}
	var raw []byte
	h := backend.Handle{Type: backend.KeyFile, Name: name}
	err = r.Backend().Load(ctx, h, 0, 0, func(rd io.Reader) error {
		b, rerr := io.ReadAll(io.LimitReader(rd, maxKeyFile))
		raw = b
		return rerr
	})
	if err != nil {
		return cli.RedactedKeyFile{}, fmt.Errorf("load key %s: %w", name[:8], err)
	}
	k, err := cli.RedactKeyFile(raw)
	if err != nil {
		return cli.RedactedKeyFile{}, fmt.Errorf("key %s: %w", name[:8], err)
	}
	return k, nil
}
