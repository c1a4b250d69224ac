package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kamal-backup/kamal-backup/repo"
)

// ErrVerifyFailed is wrapped by the error of a backup whose verification
// found a snapshot it wrote missing from the repository, or different
// from what it wrote.
var ErrVerifyFailed = errors.New("snapshot not in the repository as written")

// verify lists the repository's snapshots again and checks that every
// snapshot the run wrote is there, with the time and tags it was written
// with. A source whose snapshot fails the check is marked failed.
func (b *backupRun) verify(ctx context.Context) error {
	if len(b.written) == 0 {
		return nil
	}
	snaps, err := b.rp.Snapshots(ctx, repo.Filter{Hosts: []string{b.r.Config.Hostname()}})
	if err != nil {
		return fmt.Errorf("list snapshots: %w", err)
	}
	byID := make(map[repo.ID]*repo.Snapshot, len(snaps))
	for _, s := range snaps {
		byID[s.ID()] = s
	}
	var errs []error
	for _, w := range b.written {
		var problem string
		switch s, ok := byID[w.id]; {
		case !ok:
			problem = "is missing from the repository"
		case !s.Time.Equal(w.time):
			problem = fmt.Sprintf("has time %s instead of %s", s.Time, w.time)
		case !slices.Equal(s.Tags, w.tags):
			problem = fmt.Sprintf("has tags %v instead of %v", s.Tags, w.tags)
		default:
			continue
		}
		src := &b.rep.Sources[w.source]
		err := fmt.Errorf("%w: snapshot %s of %s %s", ErrVerifyFailed, w.id.Str(), describeSource(src), problem)
		src.Status, src.Error = StatusFailed, b.r.Config.Redactor().Redact(err.Error())
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// describeSource names a source in messages: `database "app"` or "the
// files".
func describeSource(s *SourceResult) string {
	if s.Type == SourceDatabase {
		return fmt.Sprintf("database %q", s.Database)
	}
	return "the files"
}
