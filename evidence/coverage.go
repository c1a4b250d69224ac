package evidence

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// VerificationCoverage is how much of the repository's data checks have
// read and verified over a window ending at the document's time: the
// packs the index lists, against the ledger of verified packs that
// every check keeps in the state directory (verified_packs.json). The
// packs due are those in the index that a check has seen there (all
// that were in it when the last check started); packs written since
// are reported apart, not yet due.
type VerificationCoverage struct {
	// WindowStart and WindowEnd bound the window: a verification at t
	// is in it when WindowStart < t <= WindowEnd.
	WindowStart   time.Time `json:"window_start"`
	WindowEnd     time.Time `json:"window_end"`
	WindowSeconds int64     `json:"window_seconds"`
	// PacksTotal counts the packs the repository's index lists.
	PacksTotal int `json:"packs_total"`
	// PacksAddedSinceLastCheck counts those no check has seen in the
	// index: written after the last check started, so not yet due.
	PacksAddedSinceLastCheck int `json:"packs_added_since_last_check"`
	// PacksVerifiedInWindow counts the packs due that a check read and
	// found intact within the window; PacksNeverVerified those due that
	// no recorded check has.
	PacksVerifiedInWindow int `json:"packs_verified_in_window"`
	PacksNeverVerified    int `json:"packs_never_verified"`
	// Share is PacksVerifiedInWindow / (PacksTotal −
	// PacksAddedSinceLastCheck), rounded to 4 decimals; null when no
	// pack is due.
	Share *float64 `json:"share"`
	// OldestVerifiedAt is the oldest last verification of any pack due:
	// every such pack was read and found intact at or after it. Null
	// when some pack due was never verified, or none is due.
	OldestVerifiedAt *time.Time `json:"oldest_verified_at"`
	// ChecksInWindow counts the checks that ran to completion within
	// the window, whether or not they read pack data.
	ChecksInWindow int `json:"checks_in_window"`
	// Rotation is where the rotating read-data subset "auto/N" stands;
	// null when no check has used one.
	Rotation Fact[Rotation] `json:"rotation"`
}

// Rotation is the state of the rotating read-data subset "auto/N".
type Rotation struct {
	// Buckets is N; the packs are split into N groups.
	Buckets int `json:"buckets"`
	// Next is the group the next check reads, from 1 to Buckets.
	Next int `json:"next"`
}

// coverage computes the verification coverage of r's packs from the
// ledger in sd, over window ending at now.
func coverage(ctx context.Context, r *repo.Repository, sd backup.StateDir, now time.Time, window time.Duration) Fact[VerificationCoverage] {
	if r == nil {
		return Failed[VerificationCoverage](errNoRepository)
	}
	ids, err := r.PackIDs(ctx)
	if err != nil {
		return Failed[VerificationCoverage](fmt.Errorf("load the index: %w", err))
	}
	var l backup.VerifiedPacks
	if _, err := sd.ReadRecord(backup.VerifiedPacksRecord, &l); err != nil {
		return Failed[VerificationCoverage](err)
	}
	start := now.Add(-window)
	in := func(t time.Time) bool { return t.After(start) && !t.After(now) }
	c := VerificationCoverage{WindowStart: start, WindowEnd: now, WindowSeconds: seconds(window), PacksTotal: len(ids),
		Rotation: rotationOf(sd)}
	var oldest time.Time
	for _, id := range ids {
		if _, seen := l.Seen[id.String()]; !seen {
			c.PacksAddedSinceLastCheck++
			continue
		}
		at, ok := l.Packs[id.String()]
		switch {
		case !ok:
			c.PacksNeverVerified++
			continue
		case in(at):
			c.PacksVerifiedInWindow++
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	if c.PacksNeverVerified == 0 && !oldest.IsZero() {
		oldest = oldest.UTC()
		c.OldestVerifiedAt = &oldest
	}
	if due := c.PacksTotal - c.PacksAddedSinceLastCheck; due > 0 {
		share := math.Round(float64(c.PacksVerifiedInWindow)/float64(due)*1e4) / 1e4
		c.Share = &share
	}
	for _, ch := range l.Checks {
		if in(ch.At) {
			c.ChecksInWindow++
		}
	}
	return Known(c)
}

// rotationOf reads the rotation state in sd.
func rotationOf(sd backup.StateDir) Fact[Rotation] {
	var rot backup.CheckRotation
	found, err := sd.ReadRecord(backup.CheckRotationRecord, &rot)
	switch {
	case err != nil:
		return Failed[Rotation](err)
	case !found:
		return Fact[Rotation]{}
	}
	return Known(Rotation{Buckets: rot.Buckets, Next: rot.Next})
}
