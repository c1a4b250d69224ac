package main

import (
	"context"

	"github.com/kamal-backup/kamal-backup/repo"
)

// initCmd creates a repository.
type initCmd struct {
	RepositoryVersion string `name:"repository-version" enum:"1,2,latest,stable" default:"stable" help:"Repository format version: 1, 2, latest or stable (both 2)."`
}

// Help is the detailed help of "repo init".
func (c *initCmd) Help() string {
	return `Creates an empty repository protected by the password, at a location where
none exists yet.

Examples:
  kamal-backup -r /srv/backups --password-file /etc/kamal-backup/password repo init
  RESTIC_PASSWORD_FILE=pw kamal-backup -r s3:https://s3.example.com/backups repo init

Exit codes: 0 created; 1 error, such as a repository already at the location.`
}

// Run creates the repository.
func (c *initCmd) Run(ctx context.Context, g *Globals) error {
	version := uint(2)
	if c.RepositoryVersion == "1" {
		version = 1
	}
	be, err := g.openBackend(ctx)
	if err != nil {
		return err
	}
	defer be.Close()
	pw, err := g.password(ctx)
	if err != nil {
		return err
	}
	r, err := repo.Init(ctx, be, pw, repo.InitOptions{Version: version, Options: repo.Options{Logger: g.log}})
	if err != nil {
		return err
	}
	id := r.Config().ID
	if g.JSON {
		return g.printJSON(struct {
			MessageType string `json:"message_type"`
			ID          string `json:"id"`
			Repository  string `json:"repository"`
		}{"initialized", id, be.Location()})
	}
	g.verbosef("created repository %s at %s\n", id[:min(10, len(id))], be.Location())
	return nil
}
