package backup

import "time"

// lastBackup returns the start of the last successful backup recorded in
// the state directory and when, per backup.schedule, the next one is due.
// ok is false when a backup is due regardless: no record, a failed run
// (retried at once), a record that cannot be read (logged) or one dated
// in the future (the clock moved back).
func (r *Runner) lastBackup() (last, next time.Time, ok bool) {
	var rec BackupRecord
	found, err := r.Config.StateDir().ReadRecord(LastBackupRecord, &rec)
	if err != nil {
		r.log().Warn("cannot read the last backup record; a backup is due", "err", err)
		return time.Time{}, time.Time{}, false
	}
	if !found || rec.Status != StatusOK || rec.StartedAt.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	if rec.StartedAt.After(r.now()) {
		r.log().Warn("the last backup record is dated in the future; a backup is due", "last_backup_at", rec.StartedAt)
		return time.Time{}, time.Time{}, false
	}
	return rec.StartedAt, rec.StartedAt.Add(r.Config.Backup.Interval), true
}
