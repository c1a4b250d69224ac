package retention_test

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// resticSets is how many random snapshot sets TestMatchesRestic compares.
const resticSets = 250

// TestMatchesRestic is the acceptance test: for hundreds of random
// snapshot sets and policies it compares Plan with what the pinned restic
// 0.18.1 "forget --dry-run --json" decides: the groups, the kept and
// removed snapshots and every keep reason, or the refusal to run.
//
// restic loads snapshots in parallel, so the order of snapshots with equal
// times is arbitrary there. For such ties the test accepts restic's answer
// if Apply gives it for some order of the tied snapshots consistent with
// restic's output.
func TestMatchesRestic(t *testing.T) {
	if testing.Short() {
		t.Skip("runs restic hundreds of times")
	}
	workers := min(runtime.GOMAXPROCS(0), 4)
	oracles := make([]*oracle, workers)
	for i := range oracles {
		oracles[i] = newOracle(t)
	}
	seeds := make(chan uint64)
	var compared, runs atomic.Int64
	var wg sync.WaitGroup
	for _, o := range oracles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				n, err := compareSet(o, seed)
				runs.Add(int64(n))
				if err != nil {
					t.Errorf("set %d: %v", seed, err)
					continue
				}
				compared.Add(1)
			}
		}()
	}
	for seed := range uint64(resticSets) {
		seeds <- seed
	}
	close(seeds)
	wg.Wait()
	t.Logf("%d of %d sets matched restic (%d restic runs)", compared.Load(), resticSets, runs.Load())
}

// compareSet generates set seed, stores it in o's repository and compares
// every grouping of it. It returns the number of restic runs.
func compareSet(o *oracle, seed uint64) (int, error) {
	g := newGenerator(seed, time.Now())
	set := g.set()
	snaps, err := o.replace(set.snaps)
	if err != nil {
		return 0, err
	}
	for i, gb := range set.groupBys {
		args := flags(set.policy)
		by := retention.DefaultGroupBy()
		if gb != "-" {
			args = append(args, "--group-by", gb)
			if by, err = retention.ParseGroupBy(gb); err != nil {
				return i, err
			}
		}
		now := time.Now()
		groups, failure, err := o.forget(args...)
		if err != nil {
			return i + 1, err
		}
		if err := compare(snaps, set.policy, by, now, groups, failure); err != nil {
			return i + 1, fmt.Errorf("restic forget %s (%d snapshots):\n%w\n%s", strings.Join(args, " "), len(snaps), err, dump(snaps))
		}
	}
	return len(set.groupBys), nil
}

// compare checks Plan against restic's groups or failure message.
func compare(snaps []*repo.Snapshot, p retention.Policy, by retention.GroupBy, now time.Time, groups []forgetGroup, failure string) error {
	results, err := retention.Plan(snaps, p, by, now, retention.PlanOptions{})
	var lse *retention.LastSnapshotError
	switch {
	case errors.Is(err, retention.ErrEmptyPolicy):
		if !strings.Contains(failure, "no policy was specified") {
			return fmt.Errorf("we: %v; restic: %q", err, failure)
		}
		return nil
	case errors.As(err, &lse):
		// restic names the first failing group it meets in map order;
		// any group that keeps nothing may be named.
		for _, sg := range retention.Group(snaps, by) {
			if keep, _, _ := retention.Apply(sg.Snapshots, p, now); len(keep) == 0 && failure == (&retention.LastSnapshotError{Group: sg.Key}).Error() {
				return nil
			}
		}
		return fmt.Errorf("we: %v; restic: %q", err, failure)
	case err != nil:
		return fmt.Errorf("we: %v; restic: %q", err, failure)
	case failure != "":
		return fmt.Errorf("we succeed; restic: %q", failure)
	}
	if len(groups) != len(results) {
		return fmt.Errorf("%d groups, restic has %d", len(results), len(groups))
	}
	for _, res := range results {
		i := slices.IndexFunc(groups, func(fg forgetGroup) bool {
			return fg.Host == res.Key.Hostname && slices.Equal(fg.Paths, res.Key.Paths) && slices.Equal(fg.Tags, res.Key.Tags)
		})
		if i < 0 {
			return fmt.Errorf("group %s missing in restic's output", res.Key)
		}
		if err := compareGroup(res, p, now, groups[i]); err != nil {
			return fmt.Errorf("group %q: %w", res.Key, err)
		}
	}
	return nil
}

// maxOrders bounds how many orders of tied snapshots compareGroup tries.
const maxOrders = 100000

// compareGroup checks one group. Apply is deterministic for a given
// input order, so the group matches if some order of its tied snapshots
// (keeping restic's relative order of the kept ones and of the removed
// ones) makes Apply print exactly what restic printed.
func compareGroup(res retention.GroupResult, p retention.Policy, now time.Time, want forgetGroup) error {
	sorted := append(slices.Clone(res.Keep), res.Remove...)
	slices.SortStableFunc(sorted, func(a, b *repo.Snapshot) int { return b.Time.Compare(a.Time) })
	keepPos, removePos := positions(want.Keep), positions(want.Remove)
	if len(keepPos)+len(removePos) != len(sorted) {
		return fmt.Errorf("restic lists %d+%d snapshots, the group has %d", len(keepPos), len(removePos), len(sorted))
	}
	// Split the sorted group into runs of equal times; in each run, order
	// kept and removed snapshots as restic lists them.
	type tie struct{ keep, remove []*repo.Snapshot }
	var ties []tie
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].Time.Equal(sorted[i].Time) {
			j++
		}
		var tc tie
		for _, s := range sorted[i:j] {
			id := s.ID().String()
			if _, ok := keepPos[id]; ok {
				tc.keep = append(tc.keep, s)
			} else if _, ok := removePos[id]; ok {
				tc.remove = append(tc.remove, s)
			} else {
				return fmt.Errorf("snapshot %s missing in restic's output", id[:8])
			}
		}
		slices.SortFunc(tc.keep, func(a, b *repo.Snapshot) int { return keepPos[a.ID().String()] - keepPos[b.ID().String()] })
		slices.SortFunc(tc.remove, func(a, b *repo.Snapshot) int { return removePos[a.ID().String()] - removePos[b.ID().String()] })
		ties = append(ties, tc)
		i = j
	}
	var first error
	tries := 0
	var try func(k int, order []*repo.Snapshot) bool
	try = func(k int, order []*repo.Snapshot) bool {
		if k == len(ties) {
			tries++
			err := diff(order, p, now, want)
			if err != nil && first == nil {
				first = err
			}
			return err == nil
		}
		for _, merged := range merges(ties[k].keep, ties[k].remove) {
			if tries >= maxOrders {
				return false
			}
			if try(k+1, append(slices.Clone(order), merged...)) {
				return true
			}
		}
		return false
	}
	if try(0, nil) {
		return nil
	}
	if tries >= maxOrders {
		return fmt.Errorf("no match in %d orders of tied snapshots; first: %w", tries, first)
	}
	return first
}
