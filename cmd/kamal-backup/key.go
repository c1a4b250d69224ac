package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
)

// keyCmd groups the key commands.
type keyCmd struct {
	List   keyListCmd   `cmd:"" help:"List the key files."`
	Add    keyAddCmd    `cmd:"" help:"Add a key for a new password."`
	Remove keyRemoveCmd `cmd:"" help:"Remove a key (not the one in use)."`
}

// keyListCmd lists key files.
type keyListCmd struct{}

// Help is the detailed help of "repo key list".
func (c *keyListCmd) Help() string {
	return `Lists the repository's key files, one per password: ID, user, host and
creation time; "*" marks the key the password given unlocked. With --json
an array of records.

Examples:
  kamal-backup repo key list
  kamal-backup repo key list --json

Exit codes: 0 listed; 1 error; 10, 11 and 12 as for every command.`
}

// Run prints the keys, the current one marked with "*".
func (c *keyListCmd) Run(ctx context.Context, g *Globals) error {
	var keys []repo.KeyInfo
	err := g.withRepo(ctx, lockRead, func(ctx context.Context, r *repo.Repository) error {
		var err error
		keys, err = r.Keys(ctx)
		return err
	})
	if err != nil {
		return err
	}
	if g.JSON {
		out := make([]cli.Key, 0, len(keys))
		for _, k := range keys {
			out = append(out, cli.NewKey(k))
		}
		return g.printJSON(out)
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, " ID\tUser\tHost\tCreated")
	for _, k := range keys {
		mark := " "
		if k.Current {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", mark, k.ID[:8], k.Username, k.Hostname,
			k.Created.In(time.Local).Format(cli.TimeFormat))
	}
	return tw.Flush()
}

// keyAddCmd adds a key.
type keyAddCmd struct {
	NewPasswordFile string `name:"new-password-file" required:"" placeholder:"FILE" help:"File whose first line is the new password."`
}

// Help is the detailed help of "repo key add".
func (c *keyAddCmd) Help() string {
	return `Adds a key file that unlocks the repository with the new password; the
current password keeps working until its key is removed.

Examples:
  kamal-backup repo key add --new-password-file /run/secrets/new-password

Exit codes: 0 added; 1 error, such as an empty password file; 10, 11 and 12 as for every command.`
}

// Run adds the key.
func (c *keyAddCmd) Run(ctx context.Context, g *Globals) error {
	b, err := os.ReadFile(c.NewPasswordFile)
	if err != nil {
		return fmt.Errorf("read new password: %w", err)
	}
	pw := firstLine(string(b))
	g.redact.Add(pw)
	if strings.TrimSpace(pw) == "" {
		return errors.New("the new password file is empty")
	}
	var id string
	err = g.withRepo(ctx, lockShared, func(ctx context.Context, r *repo.Repository) error {
		var err error
		id, err = r.AddKey(ctx, pw, repo.KDFParams{})
		return err
	})
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(keyMessage{"key_added", id})
	}
	g.verbosef("saved new key %s\n", id[:8])
	return nil
}

// keyRemoveCmd removes a key.
type keyRemoveCmd struct {
	ID string `arg:"" name:"id" help:"Key ID or unique prefix."`
}

// Help is the detailed help of "repo key remove".
func (c *keyRemoveCmd) Help() string {
	return `Removes a key file, so that its password no longer opens the repository.
The key in use (the one the given password unlocked) cannot be removed:
add the new password first, then remove the old key with the new one.

Examples:
  kamal-backup repo key remove 9f2585b9
  RESTIC_PASSWORD_FILE=/run/secrets/new-password kamal-backup repo key remove 9f2585b9

Exit codes: 0 removed; 1 error, such as the key in use or an ambiguous
prefix; 10, 11 and 12 as for every command.`
}

// Run removes the key.
func (c *keyRemoveCmd) Run(ctx context.Context, g *Globals) error {
	err := g.withRepo(ctx, lockExclusive, func(ctx context.Context, r *repo.Repository) error {
		return r.RemoveKey(ctx, c.ID)
	})
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(keyMessage{"key_removed", c.ID})
	}
	g.verbosef("removed key %s\n", c.ID)
	return nil
}

// keyMessage is the --json line of key add and remove.
type keyMessage struct {
	MessageType string `json:"message_type"`
	ID          string `json:"id"`
}
