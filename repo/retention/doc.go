// Package retention decides which snapshots a retention policy keeps, with
// the semantics of restic 0.18's "forget" command, so that a policy gives
// the same answer whether kamal-backup or restic applies it.
//
// The package is pure: it reads snapshot metadata (repo.Snapshot) and never
// touches a repository. Deleting what Plan or Apply marks for removal is
// the caller's job (repo.Repository.Forget).
//
// The rules, in restic's words and order:
//
//   - Snapshots are split into groups (Group, by host and paths by
//     default) and the policy is applied to each group on its own.
//   - Within a group, snapshots are sorted newest first. A stable sort is
//     used, so snapshots with the same time keep their input order (restic
//     loads snapshots in parallel, so its order for ties is arbitrary).
//   - The reference time for the "within" rules is the time of the newest
//     snapshot that is not in the future.
//   - A snapshot is kept if any rule matches: it has all tags of one of
//     the keep-tag lists; it is strictly newer than reference − Within; it
//     opens a new last/hourly/daily/weekly/monthly/yearly bucket while that
//     rule's count lasts; or it opens a new bucket of a within-bucket rule
//     and is strictly newer than reference − that rule's duration.
//   - The oldest snapshot of a group is kept by every bucket rule whose
//     count is not used up (and by every within-bucket rule whose duration
//     covers it), even if its bucket already has a newer snapshot.
//   - Calendar fields (hour, day, ISO week, month, year) are read in the
//     UTC offset stored with each snapshot's time, not in the local zone.
//
// Apply reports why each snapshot is kept with the same strings restic
// prints in "forget --json" (reasons[].matches).
package retention
