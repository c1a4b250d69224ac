package retention_test

import (
	"errors"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

func TestPlan(t *testing.T) {
	snaps := fixture(t)
	other := snap(t, "2024-01-01T00:00:00Z", "weekly")
	other.Hostname = "h2"
	snaps = append(snaps, other)

	res, err := retention.Plan(snaps, retention.Policy{Last: 1}, retention.DefaultGroupBy(), fixtureNow, retention.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Key.Hostname != "h" || res[1].Key.Hostname != "h2" {
		t.Fatalf("groups: %+v", res)
	}
	if len(res[0].Keep) != 1 || res[0].Keep[0] != snaps[0] || len(res[0].Remove) != 12 || len(res[0].Reasons) != 1 {
		t.Errorf("group h: keep %d remove %d", len(res[0].Keep), len(res[0].Remove))
	}
	if len(res[1].Keep) != 1 || len(res[1].Remove) != 0 {
		t.Errorf("group h2: keep %d remove %d", len(res[1].Keep), len(res[1].Remove))
	}
}

func TestPlanRefusals(t *testing.T) {
	snaps := fixture(t)
	other := snap(t, "2024-01-01T00:00:00Z")
	other.Hostname, other.Paths = "h2", []string{"/b", "/a"}
	snaps = append(snaps, other)
	by := retention.DefaultGroupBy()

	if _, err := retention.Plan(snaps, retention.Policy{}, by, fixtureNow, retention.PlanOptions{}); !errors.Is(err, retention.ErrEmptyPolicy) {
		t.Errorf("empty policy: %v", err)
	}
	res, err := retention.Plan(snaps, retention.Policy{}, by, fixtureNow, retention.PlanOptions{AllowRemoveAll: true})
	if err != nil || len(res) != 2 || len(res[0].Keep)+len(res[1].Keep) != 0 || len(res[0].Remove)+len(res[1].Remove) != len(snaps) || res[0].Reasons != nil {
		t.Errorf("allowed empty policy: %+v, %v", res, err)
	}
	if _, err := retention.Plan(snaps, retention.Policy{Daily: -3}, by, fixtureNow, retention.PlanOptions{AllowRemoveAll: true}); err == nil {
		t.Error("invalid policy accepted")
	}
	// The fixture has "weekly" tags, h2's snapshot has none.
	_, err = retention.Plan(snaps, retention.Policy{Tags: [][]string{{"weekly"}}}, by, fixtureNow, retention.PlanOptions{AllowRemoveAll: true})
	var lse *retention.LastSnapshotError
	if !errors.As(err, &lse) || err.Error() != `refusing to delete last snapshot of snapshot group "host h2, path [/a /b]"` {
		t.Errorf("keep nothing: %v", err)
	}
}

func TestPlanNoSnapshots(t *testing.T) {
	res, err := retention.Plan([]*repo.Snapshot{}, retention.Policy{Last: 1}, retention.DefaultGroupBy(), fixtureNow, retention.PlanOptions{})
	if err != nil || len(res) != 0 {
		t.Errorf("%v, %v", res, err)
	}
}
