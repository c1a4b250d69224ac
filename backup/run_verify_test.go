package backup

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

func TestBackupVerifyDetectsMissingSnapshot(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{forget: true})
	f.runner.hooks.beforeVerify = func(ctx context.Context, r *repo.Repository) {
		// Something (a lifecycle rule, another tool) deletes queue's new
		// snapshot before the backup looks again.
		snaps, err := r.Snapshots(ctx, repo.Filter{Tags: [][]string{{"database:queue"}}})
		if err != nil || len(snaps) != 1 {
			t.Errorf("queue snapshots: %v %v", snaps, err)
			return
		}
		if err := r.Forget(ctx, []repo.ID{snaps[0].ID()}); err != nil {
			t.Error(err)
		}
	}
	rep, err := f.runner.BackupWithReport(t.Context(), BackupOptions{})
	if !errors.Is(err, ErrVerifyFailed) {
		t.Fatalf("Backup: %v, want ErrVerifyFailed", err)
	}
	var se *StepError
	if !errors.As(err, &se) || se.Step != StepVerify || !strings.Contains(err.Error(), `database "queue" is missing`) {
		t.Errorf("error %q", err)
	}
	if rep.Status != StatusFailed || rep.Sources[0].Status != StatusOK || rep.Sources[1].Status != StatusFailed {
		t.Errorf("status %q sources %+v", rep.Status, rep.Sources)
	}
	for _, s := range rep.Steps {
		if s.Name == StepRetention && s.Status != StatusSkipped {
			t.Errorf("retention ran after a failed verification: %+v", s)
		}
	}
}
