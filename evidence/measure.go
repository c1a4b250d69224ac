package evidence

import (
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// objectives judges the configured objectives against what was
// collected.
func objectives(cfg backup.EvidenceConfig, h Fact[BackupHistory], check recordFact[backup.CheckRecord],
	drill recordFact[backup.DrillRecord], now time.Time) Objectives {
	obj := Objectives{
		RPO:         judge("rpo", cfg.RPO, measureRPO(h)),
		RTO:         judge("rto", cfg.RTO, measureRTO(drill)),
		DrillMaxAge: judge("drill_max_age", cfg.DrillMaxAge, measureDrillAge(drill, now)),
		CheckMaxAge: judge("check_max_age", cfg.CheckMaxAge, measureCheckAge(check, now)),
	}
	obj.overall()
	return obj
}

// measureRPO finds the largest gap between backups over every source.
func measureRPO(h Fact[BackupHistory]) measurement {
	if h.Value == nil {
		return measurement{verdict: VerdictUnknown, reason: "the snapshots could not be read"}
	}
	if len(h.Value.Sources) == 0 {
		return measurement{verdict: VerdictUnknown, reason: "no database or path is configured"}
	}
	var worst *SourceHistory
	for i := range h.Value.Sources {
		s := &h.Value.Sources[i]
		if s.LargestGap == nil {
			return measurement{verdict: VerdictFail, reason: "no backup of " + s.Source + " in the repository"}
		}
		if worst == nil || s.LargestGap.Seconds > worst.LargestGap.Seconds {
			worst = s
		}
	}
	g := worst.LargestGap
	d := g.duration()
	if g.Open {
		return measurement{actual: &d, reason: fmt.Sprintf("no backup of %s for %s (since %s)", worst.Source, formatDuration(d), formatTime(g.From))}
	}
	return measurement{actual: &d, reason: fmt.Sprintf("largest gap between backups of %s was %s (%s to %s)",
		worst.Source, formatDuration(d), formatTime(g.From), formatTime(g.To))}
}

// measureRTO takes the last restore drill's duration: the time its
// phases took, so an operator's pause at the confirmation prompt does
// not count.
func measureRTO(drill recordFact[backup.DrillRecord]) measurement {
	d, m, ok := lastDrill(drill)
	if !ok {
		if m.verdict == VerdictFail {
			m.verdict = VerdictUnknown // no drill: nothing measured, nothing failed
		}
		return m
	}
	if d.StartedAt.IsZero() || d.FinishedAt.IsZero() {
		return measurement{verdict: VerdictUnknown, reason: "the last restore drill records no start or finish time"}
	}
	took := drillWork(d)
	if d.Status != backup.StatusOK {
		return measurement{actual: &took, verdict: VerdictFail, reason: fmt.Sprintf("the last restore drill (%s) failed", formatTime(d.StartedAt))}
	}
	return measurement{actual: &took, reason: fmt.Sprintf("the last restore drill (%s) took %s", formatTime(d.StartedAt), formatDuration(took))}
}

// measureDrillAge takes the age of the last restore drill, which must
// have succeeded.
func measureDrillAge(drill recordFact[backup.DrillRecord], now time.Time) measurement {
	d, m, ok := lastDrill(drill)
	if !ok {
		return m
	}
	return age("restore drill", d.Status, d.FinishedAt, now)
}

// measureCheckAge takes the age of the last check, which must have
// passed.
func measureCheckAge(check recordFact[backup.CheckRecord], now time.Time) measurement {
	switch {
	case check.raw.Error != "":
		return measurement{verdict: VerdictUnknown, reason: backup.LastCheckRecord + " could not be read"}
	case check.value == nil:
		return measurement{verdict: VerdictFail, reason: "no check recorded"}
	}
	return age("check", check.value.Status, check.value.FinishedAt, now)
}

// lastDrill returns the last drill record, or the measurement to report
// when there is none (fail) or it cannot be read (unknown).
func lastDrill(drill recordFact[backup.DrillRecord]) (*backup.DrillRecord, measurement, bool) {
	switch {
	case drill.raw.Error != "":
		return nil, measurement{verdict: VerdictUnknown, reason: backup.LastDrillRecord + " could not be read"}, false
	case drill.value == nil:
		return nil, measurement{verdict: VerdictFail, reason: "no restore drill recorded"}, false
	}
	return drill.value, measurement{}, true
}

// age measures how long ago a run that must have succeeded finished.
func age(what, status string, finished, now time.Time) measurement {
	if finished.IsZero() {
		return measurement{verdict: VerdictUnknown, reason: "the last " + what + " records no finish time"}
	}
	a := max(now.Sub(finished), 0)
	if status != backup.StatusOK {
		return measurement{actual: &a, verdict: VerdictFail, reason: fmt.Sprintf("the last %s (%s) did not succeed (status %q)", what, formatTime(finished), status)}
	}
	return measurement{actual: &a, reason: fmt.Sprintf("the last %s succeeded %s ago (%s)", what, formatDuration(a), formatTime(finished))}
}

// drillWork is how long drill d worked: the sum of its phases (they run
// one after another), or its whole span when it records no phase.
func drillWork(d *backup.DrillRecord) time.Duration {
	if len(d.Phases) == 0 {
		return d.FinishedAt.Sub(d.StartedAt)
	}
	var sum time.Duration
	for _, p := range d.Phases {
		sum += p.FinishedAt.Sub(p.StartedAt)
	}
	return sum
}
