package evidence

import (
	"fmt"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// Verdicts of an objective and of the objectives as a whole.
const (
	VerdictPass    = "pass"
	VerdictFail    = "fail"
	VerdictUnknown = "unknown"
)

// Objectives are the recovery objectives declared in the configuration
// (evidence: rpo, rto, drill_max_age, check_max_age), each with what was
// measured and a verdict, and the overall verdict.
type Objectives struct {
	// Verdict is VerdictFail when a declared objective fails or the
	// history was edited, shortened or damaged, else VerdictUnknown when
	// one cannot be judged, none is declared or the history could not be
	// verified, else VerdictPass.
	Verdict string `json:"verdict"`
	// Reasons explain Verdict, one line per objective that decided it
	// ("rpo: ...").
	Reasons []string `json:"reasons"`
	// RPO: the longest time without a backup, over every source in the
	// window (BackupHistory's largest gaps), must not exceed the target.
	RPO Objective `json:"rpo"`
	// RTO: the last restore drill must have succeeded within the target.
	RTO Objective `json:"rto"`
	// DrillMaxAge: the last restore drill must have succeeded and have
	// finished at most this long ago.
	DrillMaxAge Objective `json:"drill_max_age"`
	// CheckMaxAge: the last check must have passed and have finished at
	// most this long ago.
	CheckMaxAge Objective `json:"check_max_age"`
}

// Objective is one recovery objective.
type Objective struct {
	// Target is the objective in the configuration's syntax ("26h");
	// null when not declared. An objective not declared has the verdict
	// unknown and does not affect the overall verdict.
	Target        *string `json:"target"`
	TargetSeconds *int64  `json:"target_seconds"`
	// Actual is what was measured, for people ("1d 2h"); null when
	// nothing could be measured.
	Actual        *string `json:"actual"`
	ActualSeconds *int64  `json:"actual_seconds"`
	// Verdict is VerdictPass, VerdictFail or VerdictUnknown.
	Verdict string `json:"verdict"`
	// Reason explains the verdict in one sentence.
	Reason string `json:"reason"`
}

// declared reports whether the objective has a target.
func (o Objective) declared() bool { return o.Target != nil }

// measurement is what an objective's actual value is and what is known
// about it before the target is applied.
type measurement struct {
	actual  *time.Duration
	verdict string // VerdictFail or VerdictUnknown forces the verdict
	reason  string // why the verdict is forced, or what was measured
}

// judge turns a target (zero: not declared) and a measurement into an
// objective.
func judge(name string, target time.Duration, m measurement) Objective {
	o := Objective{}
	if m.actual != nil {
		a, s := formatDuration(*m.actual), seconds(*m.actual)
		o.Actual, o.ActualSeconds = &a, &s
	}
	if target <= 0 {
		o.Verdict = VerdictUnknown
		o.Reason = fmt.Sprintf("no objective declared (evidence.%s)", name)
		if m.reason != "" {
			o.Reason += "; " + m.reason
		}
		return o
	}
	t, s := backup.FormatSchedule(target), seconds(target)
	o.Target, o.TargetSeconds = &t, &s
	switch {
	case m.verdict != "":
		o.Verdict, o.Reason = m.verdict, m.reason
	case m.actual == nil:
		o.Verdict, o.Reason = VerdictUnknown, m.reason
	case *m.actual <= target:
		o.Verdict, o.Reason = VerdictPass, fmt.Sprintf("%s, within %s", m.reason, t)
	default:
		o.Verdict, o.Reason = VerdictFail, fmt.Sprintf("%s, more than %s", m.reason, t)
	}
	return o
}

// overall sets the overall verdict and its reasons from the objectives.
func (obj *Objectives) overall() {
	named := []struct {
		name string
		o    Objective
	}{{"rpo", obj.RPO}, {"rto", obj.RTO}, {"drill_max_age", obj.DrillMaxAge}, {"check_max_age", obj.CheckMaxAge}}
	byVerdict := map[string][]string{}
	declared := 0
	for _, n := range named {
		if n.o.declared() {
			declared++
			byVerdict[n.o.Verdict] = append(byVerdict[n.o.Verdict], n.name+": "+n.o.Reason)
		}
	}
	switch {
	case len(byVerdict[VerdictFail]) > 0:
		obj.Verdict, obj.Reasons = VerdictFail, byVerdict[VerdictFail]
	case declared == 0:
		obj.Verdict = VerdictUnknown
		obj.Reasons = []string{"no objectives declared: set evidence.rpo, evidence.rto, evidence.drill_max_age and evidence.check_max_age in the configuration"}
	case len(byVerdict[VerdictUnknown]) > 0:
		obj.Verdict, obj.Reasons = VerdictUnknown, byVerdict[VerdictUnknown]
	default:
		obj.Verdict, obj.Reasons = VerdictPass, byVerdict[VerdictPass]
	}
}
