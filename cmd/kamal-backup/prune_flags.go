package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kamal-backup/kamal-backup/repo"
)

// pruneFlags tune what prune repacks; forget --prune takes them too.
type pruneFlags struct {
	MaxUnused           string `name:"max-unused" default:"5%" placeholder:"LIMIT" help:"Unused space prune may leave: a percentage of the repository, a size (e.g. 100M) or unlimited (default: ${default})."`
	MaxRepackSize       string `name:"max-repack-size" placeholder:"SIZE" help:"Repack at most this many bytes (e.g. 2G)."`
	RepackCacheableOnly bool   `name:"repack-cacheable-only" help:"Only repack packs holding trees."`
	RepackSmall         bool   `name:"repack-small" help:"Also repack packs below 80% of the target pack size."`
	RepackSmallerThan   string `name:"repack-smaller-than" placeholder:"SIZE" help:"Repack packs smaller than this size (e.g. 10M)."`
	RepackUncompressed  bool   `name:"repack-uncompressed" help:"Repack and compress packs holding uncompressed data."`
	Force               bool   `name:"force" help:"Delete data even when the last recorded check of the repository failed."`
}

// options returns the repo.PruneOptions the flags describe.
func (f pruneFlags) options(dryRun bool, lock *repo.Lock) repo.PruneOptions {
	return repo.PruneOptions{
		MaxUnused: f.MaxUnused, MaxRepackSize: f.MaxRepackSize,
		RepackCacheableOnly: f.RepackCacheableOnly, RepackSmall: f.RepackSmall,
		RepackSmallerThan: f.RepackSmallerThan, RepackUncompressed: f.RepackUncompressed,
		DryRun: dryRun, Force: f.Force, Lock: lock,
	}
}

// validate checks the flags' syntax before anything is changed, so that
// forget --prune does not forget snapshots and then fail to prune. Prune
// checks them again.
func (f pruneFlags) validate() error {
	switch s := strings.TrimSpace(f.MaxUnused); {
	case s == "unlimited":
	case strings.HasSuffix(s, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || !(p >= 0 && p < 100) {
			return fmt.Errorf("invalid --max-unused %q: want a percentage from 0%% to below 100%%, a size or unlimited", f.MaxUnused)
		}
	default:
		if !validSize(s) {
			return fmt.Errorf("invalid --max-unused %q: want a percentage, a size such as 100M or unlimited", f.MaxUnused)
		}
	}
	for _, s := range []struct{ flag, v string }{{"--max-repack-size", f.MaxRepackSize}, {"--repack-smaller-than", f.RepackSmallerThan}} {
		if s.v != "" && !validSize(s.v) {
			return fmt.Errorf("invalid %s %q: want a size such as 500M (units k, M, G, T)", s.flag, s.v)
		}
	}
	return nil
}

// validSize reports whether s is a byte count with an optional unit k, M,
// G or T.
func validSize(s string) bool {
	s = strings.TrimSpace(s)
	if s != "" && strings.ContainsRune("kKmMgGtT", rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= 0
}
