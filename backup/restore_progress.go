package backup

import (
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/restorer"
)

// fileProgress returns what the restore of the file target f tells its
// progress, step "files PATH" (PATH the path in the snapshot, "/" for
// the whole snapshot), or nil when j reports none.
func fileProgress(j *job, f fileTarget) restorer.Progress {
	p := j.progressOf("files " + sourceLabel(f.source))
	if p == nil {
		return nil
	}
	return restoreBytes{p}
}

// restoreBytes tells a repo.Progress the bytes a file restore writes,
// of the total it announces.
type restoreBytes struct{ p repo.Progress }

var _ restorer.Progress = restoreBytes{}

// Start announces the bytes to write.
func (b restoreBytes) Start(total restorer.Stats) { b.p.Start(int64(total.Bytes)) }

// Bytes counts written bytes.
func (b restoreBytes) Bytes(n uint64) { b.p.Add(int64(n)) }

// Done ends the progress.
func (b restoreBytes) Done(restorer.Stats) { b.p.Done() }
