package evidence

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/backup"
)

// TestMeasureRTOCountsPhases: the measured RTO is the drill's work, the
// sum of its phases, not the time an operator left the confirmation
// prompt open; a record without phases falls back to its whole span.
func TestMeasureRTOCountsPhases(t *testing.T) {
	start := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return start.Add(time.Duration(m) * time.Minute) }
	rec := &backup.DrillRecord{Status: backup.StatusOK, StartedAt: at(0), FinishedAt: at(70),
		Phases: []backup.DrillPhase{
			{Name: backup.PhaseResolve, StartedAt: at(0), FinishedAt: at(1)},
			// the prompt waited from minute 1 to minute 61
			{Name: backup.PhaseRestoreFiles, StartedAt: at(61), FinishedAt: at(65)},
			{Name: backup.PhaseCheck, StartedAt: at(65), FinishedAt: at(70)},
		}}
	m := measureRTO(recordFact[backup.DrillRecord]{raw: Known(json.RawMessage(`{}`)), value: rec})
	if m.actual == nil || *m.actual != 10*time.Minute {
		t.Fatalf("RTO %v, want 10m (the phases): %+v", m.actual, m)
	}
	rec.Phases = nil
	m = measureRTO(recordFact[backup.DrillRecord]{raw: Known(json.RawMessage(`{}`)), value: rec})
	if m.actual == nil || *m.actual != 70*time.Minute {
		t.Fatalf("RTO without phases %v, want 70m", m.actual)
	}
}
