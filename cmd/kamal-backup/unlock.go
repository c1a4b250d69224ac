package main

import (
	"context"
)

// unlockCmd removes stale locks, or every lock.
type unlockCmd struct {
	RemoveAll bool `name:"remove-all" help:"Remove every lock, also those of running processes."`
}

// Help is the detailed help of "repo unlock".
func (c *unlockCmd) Help() string {
	return `Removes the locks that crashed processes left behind: locks older than 30
minutes, and locks of this host whose process no longer runs. With
--remove-all every lock goes, including those of running processes: use it
only when no other process uses the repository.

Examples:
  kamal-backup repo unlock
  kamal-backup repo unlock --remove-all --json

Exit codes: 0 success; 1 error; 10 and 12 as for every command.`
}

// unlockRecord is the line "repo unlock --json" prints.
type unlockRecord struct {
	MessageType   string `json:"message_type"`
	Kind          string `json:"kind"`
	SchemaVersion int    `json:"schema_version"`
	Removed       int    `json:"removed"`
}

// Run removes the locks; it takes no lock itself.
func (c *unlockCmd) Run(ctx context.Context, g *Globals) error {
	r, err := g.openRepo(ctx)
	if err != nil {
		return err
	}
	defer g.closeRepo(r)
	n, err := r.Unlock(ctx, c.RemoveAll)
	if g.JSON {
		if perr := g.printJSON(unlockRecord{MessageType: "summary", Kind: "unlock", SchemaVersion: 1, Removed: n}); err == nil {
			err = perr
		}
	} else {
		g.verbosef("successfully removed %d locks\n", n)
	}
	return err
}
