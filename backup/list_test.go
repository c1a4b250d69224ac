package backup

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kamal-backup/kamal-backup/repo"
)

func TestList(t *testing.T) {
	f := newRunFixture(t, fixtureOptions{paths: true})
	f.backupDays(t, 2)
	// A snapshot of another app in the same repository is not listed.
	r := f.open(t)
	if _, err := r.BackupStream(t.Context(), "x.sql", strings.NewReader("x"), repo.SnapshotOptions{Tags: DatabaseTags("other", "app", "mysql")}); err != nil {
		t.Fatal(err)
	}
	list, err := f.runner.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Group string
		Time  time.Duration
	}
	var got []row
	for _, s := range list {
		got = append(got, row{s.Group, s.Time.Sub(runT0)})
		if len(s.ID) != 64 || s.ShortID != s.ID[:8] || s.Host != "shop-backup" || len(s.Paths) == 0 {
			t.Errorf("snapshot %+v", s)
		}
	}
	day := 24 * time.Hour
	want := []row{{"database:app", 0}, {"database:app", day}, {"database:queue", 0}, {"database:queue", day}, {"files", 0}, {"files", day}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if s := list[0]; s.Type != SourceDatabase || s.Database != "app" || s.Adapter != "postgres" ||
		!cmp.Equal(s.Tags, DatabaseTags("shop", "app", "postgres")) || s.Paths[0] != "/databases/shop/app/postgres.pgdump" {
		t.Errorf("first snapshot %+v", s)
	}
}
