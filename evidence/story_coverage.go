package evidence

import (
	"fmt"
	"time"
)

// coverageSection tells how much of the stored data checks have read
// and verified over the window.
func coverageSection(r *report, doc *Document) {
	r.heading("Data verification")
	f := doc.VerificationCoverage
	if f.Value == nil {
		r.para(txt("The verification coverage could not be read: " + f.Error + "."))
		return
	}
	c := f.Value
	switch due := c.PacksTotal - c.PacksAddedSinceLastCheck; {
	case c.PacksTotal == 0:
		r.para(txt("The repository holds no data packs yet."))
	case due == 0:
		r.para(txt(fmt.Sprintf("No check has seen the repository's %d packs yet: the next check is the first due to read them.", c.PacksTotal)))
	default:
		r.para(txt("Over the last "+formatDuration(time.Duration(c.WindowSeconds)*time.Second)+", checks read and verified "),
			bold(fmt.Sprintf("%d of the %d packs due (%.1f%%)", c.PacksVerifiedInWindow, due, 100*deref64(c.Share))),
			txt(fmt.Sprintf(" in %d checks.", c.ChecksInWindow)))
		if c.PacksAddedSinceLastCheck > 0 {
			r.para(txt(fmt.Sprintf("%d packs written since the last check started are not yet due.", c.PacksAddedSinceLastCheck)))
		}
	}
	switch {
	case c.OldestVerifiedAt != nil:
		r.para(txt("Every pack due has been read and found intact since " + formatTime(*c.OldestVerifiedAt) + "."))
	case c.PacksNeverVerified > 0:
		r.para(txt(fmt.Sprintf("%d packs due have never been read and found intact by a check.", c.PacksNeverVerified)))
	}
	switch rot := c.Rotation; {
	case rot.Error != "":
		r.para(txt("The read-data rotation state could not be read: " + rot.Error + "."))
	case rot.Value != nil:
		r.para(txt("Checks rotate through the data: "), cod(fmt.Sprintf("auto/%d", rot.Value.Buckets)),
			txt(fmt.Sprintf(" reads one of %d groups of packs per check; the next check reads group %d.", rot.Value.Buckets, rot.Value.Next)))
	}
}

// deref64 returns *p, or 0 when p is nil.
func deref64(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
