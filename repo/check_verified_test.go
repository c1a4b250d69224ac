package repo

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The groups n/t of a read-data subset partition the packs: reading
// 1/3, 2/3 and 3/3 verifies every pack exactly once, and PacksVerified
// lists them while PacksTotal counts the index's packs.
func TestCheckPacksVerifiedPartition(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	want, err := r.PackIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(want) < 5 || !slices.IsSortedFunc(want, checkCompareIDs) {
		t.Fatalf("PackIDs: %d packs, sorted %v", len(want), slices.IsSortedFunc(want, checkCompareIDs))
	}
	seen := map[string]int{}
	for _, sub := range []string{"1/3", "2/3", "3/3"} {
		res := checkMust(t, r, CheckOptions{ReadDataSubset: sub})
		checkAssertClean(t, res)
		if res.PacksTotal != len(want) || len(res.PacksVerified) != res.PacksRead || !slices.IsSorted(res.PacksVerified) {
			t.Errorf("%s: total %d of %d, verified %d, read %d", sub, res.PacksTotal, len(want), len(res.PacksVerified), res.PacksRead)
		}
		for _, p := range res.PacksVerified {
			seen[p]++
		}
	}
	for _, pid := range want {
		if seen[pid.String()] != 1 {
			t.Errorf("pack %s verified %d times, want once", pid.Str(), seen[pid.String()])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d packs verified, want %d", len(seen), len(want))
	}
	if res := checkMust(t, r, CheckOptions{}); len(res.PacksVerified) != 0 || res.PacksTotal != len(want) {
		t.Errorf("without read-data: verified %d, total %d", len(res.PacksVerified), res.PacksTotal)
	}
}

// A damaged pack is read but not verified; the others are.
func TestCheckPacksVerifiedSkipsDamage(t *testing.T) {
	r, dir := newCheckRepo(t, 2, false)
	bad := checkPackOf(t, r, DataBlob)
	checkFlip(t, checkPackFile(dir, bad), 100)
	res := checkMust(t, checkOpen(t, dir), CheckOptions{ReadData: true})
	if res.OK() {
		t.Fatal("the flipped byte was not found")
	}
	if slices.Contains(res.PacksVerified, bad.String()) {
		t.Errorf("the damaged pack %s is listed as verified", bad.Str())
	}
	if len(res.PacksVerified) != res.PacksTotal-1 || res.PacksRead != res.PacksTotal {
		t.Errorf("verified %d, read %d, total %d; want all but one verified", len(res.PacksVerified), res.PacksRead, res.PacksTotal)
	}
}

// packs_total is in the JSON; the list of verified packs is not, so that
// a check record stays small whatever the repository's size.
func TestCheckPacksVerifiedJSON(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	res := checkMust(t, r, CheckOptions{ReadData: true})
	js, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"packs_total":`) || strings.Contains(string(js), res.PacksVerified[0]) {
		t.Errorf("JSON %s", js)
	}
}
