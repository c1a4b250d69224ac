package main

import "context"

// appUnlockCmd removes the configured repository's stale locks.
type appUnlockCmd struct {
	appConfigFlag
	appLocalFlag
	RemoveAll bool `name:"remove-all" help:"Remove every lock, also those of running processes."`
}

// Help is the detailed help of "unlock".
func (c *appUnlockCmd) Help() string {
	return `Removes the locks that crashed processes left in the configured
repository, as restic unlock does: locks older than 30 minutes, and locks
of this host whose process no longer runs. With --remove-all every lock
goes, including those of running processes: use it only when nothing
else uses the repository.

With --json it prints {"message_type":"summary","kind":"unlock",
"schema_version":1,"removed":N}.

Examples:
  kamal-backup unlock
  bin/kamal accessory exec backup "kamal-backup unlock --remove-all"

Exit codes: 0 success; 1 error; 10 and 12 as for every command.`
}

// Run removes the locks and says how many.
func (c *appUnlockCmd) Run(ctx context.Context, g *Globals) error {
	cfg, err := g.loadAppConfig(c.Config, c.Local)
	if err != nil {
		return err
	}
	n, err := g.appRunner(cfg, false).Unlock(ctx, c.RemoveAll)
	if err != nil {
		return err
	}
	if g.JSON {
		return g.printJSON(unlockRecord{MessageType: "summary", Kind: "unlock", SchemaVersion: 1, Removed: n})
	}
	g.verbosef("successfully removed %d locks\n", n)
	return nil
}
