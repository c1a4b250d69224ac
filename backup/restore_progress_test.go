package backup_test

import (
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// stepProgress records what the steps of a restore report.
type stepProgress struct {
	mu    sync.Mutex
	steps []string
	got   map[string]*countProgress
}

// progress is a RestoreOptions.Progress that records each step.
func (s *stepProgress) progress(step string) repo.Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.got == nil {
		s.got = map[string]*countProgress{}
	}
	s.steps = append(s.steps, step)
	p := &countProgress{total: -2}
	s.got[step] = p
	return p
}

// countProgress counts what one step reports.
type countProgress struct {
	mu           sync.Mutex
	total, added int64
	starts, done int
}

func (p *countProgress) Start(total int64) { p.mu.Lock(); p.total = total; p.starts++; p.mu.Unlock() }
func (p *countProgress) Add(n int64)       { p.mu.Lock(); p.added += n; p.mu.Unlock() }
func (p *countProgress) Done()             { p.mu.Lock(); p.done++; p.mu.Unlock() }

// want requires each step to have started once with its total, counted
// all of it and ended once, the steps in order.
func (s *stepProgress) want(t *testing.T, steps []string, totals []int64) {
	t.Helper()
	if !slices.Equal(s.steps, steps) {
		t.Fatalf("progress steps %q, want %q", s.steps, steps)
	}
	for i, step := range steps {
		p := s.got[step]
		if p.starts != 1 || p.done != 1 || p.total != totals[i] || p.added != totals[i] {
			t.Errorf("step %q: %d starts of total %d, %d bytes, %d done; want total %d", step, p.starts, p.total, p.added, p.done, totals[i])
		}
	}
}

func TestRestoreProgress(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	var sp stepProgress
	res, err := r.Restore(t.Context(), backup.RestoreOptions{Mode: backup.ModeLocal, Confirm: backup.Confirmation{Yes: true},
		Env: env{}.lookup, Progress: sp.progress})
	if err != nil {
		t.Fatalf("Restore: %v", err)
	}
	// a.txt and sub/b.txt hold 2 bytes each; the dump is "dump-v1".
	sp.want(t, []string{"files " + f.storage, "database app"}, []int64{4, int64(len("dump-v1"))})
	for _, p := range res.Phases {
		wantDB := ""
		if p.Name == backup.PhaseFetch || p.Name == backup.PhaseRestoreDatabase {
			wantDB = "app"
		}
		if p.Database != wantDB || p.DurationSeconds != p.FinishedAt.Sub(p.StartedAt).Seconds() {
			t.Errorf("phase %+v: want database %q and its duration", p, wantDB)
		}
	}
}

func TestDrillProgress(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	var sp stepProgress
	_, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill",
		FilesDir: filepath.Join(f.dir, "scratch"), Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}, Progress: sp.progress})
	if err != nil {
		t.Fatalf("Drill: %v", err)
	}
	sp.want(t, []string{"files /", "database app"}, []int64{4, int64(len("dump-v1"))})
}

// TestDrillCheckKilled requires a check command ended by a signal to be
// recorded without an exit code.
func TestDrillCheckKilled(t *testing.T) {
	f := newMemFixture(t)
	r := f.restorer(t, backup.RestorerOptions{})
	rec, err := r.Drill(t.Context(), backup.DrillOptions{Mode: backup.ModeProduction, Database: "drill",
		FilesDir: filepath.Join(f.dir, "scratch"), Check: "kill -9 $$", Env: env{}.lookup, Confirm: backup.Confirmation{Yes: true}})
	if err == nil || rec.Check == nil || rec.Check.Status != backup.StatusFailed {
		t.Fatalf("Drill: %v, check %+v", err, rec.Check)
	}
	if rec.Check.ExitCode != nil {
		t.Errorf("exit_code %d for a killed check, want none", *rec.Check.ExitCode)
	}
}
