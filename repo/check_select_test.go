package repo

import (
	"os"
	"slices"
	"testing"
)

// checkOutside returns a pack of ids outside the group n/t.
func checkOutside(t testing.TB, ids []ID, n, t2 int) ID {
	t.Helper()
	for _, pid := range ids {
		if int(pid[0])%t2 != n-1 {
			return pid
		}
	}
	t.Fatalf("every pack is in group %d/%d", n, t2)
	return ID{}
}

// ReadPack adds packs to the subset: a pack outside the group is read
// and verified with it; alone, ReadPack reads only what it selects; it
// is asked only about the index's packs the subset left out.
func TestCheckReadPack(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	ids, err := r.PackIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	group := checkMust(t, r, CheckOptions{ReadDataSubset: "1/2"})
	extra := checkOutside(t, ids, 1, 2)
	var asked []ID
	res := checkMust(t, r, CheckOptions{ReadDataSubset: "1/2", ReadPack: func(pid ID) bool {
		asked = append(asked, pid)
		return pid == extra
	}})
	checkAssertClean(t, res)
	want := append(slices.Clone(group.PacksVerified), extra.String())
	slices.Sort(want)
	if !slices.Equal(res.PacksVerified, want) || res.PacksRead != len(want) {
		t.Errorf("1/2 plus %s verified %d packs (read %d), want %d", extra.Str(), len(res.PacksVerified), res.PacksRead, len(want))
	}
	if len(asked) != len(ids)-len(group.PacksVerified) {
		t.Errorf("ReadPack asked about %d packs, want the %d outside 1/2", len(asked), len(ids)-len(group.PacksVerified))
	}
	for _, pid := range asked {
		if slices.Contains(group.PacksVerified, pid.String()) || !slices.Contains(ids, pid) {
			t.Errorf("ReadPack asked about %s, which 1/2 selects or the index lacks", pid.Str())
		}
	}

	res = checkMust(t, r, CheckOptions{ReadPack: func(pid ID) bool { return pid == extra }})
	if !slices.Equal(res.PacksVerified, []string{extra.String()}) || res.PacksRead != 1 {
		t.Errorf("ReadPack alone verified %v, read %d; want only %s", res.PacksVerified, res.PacksRead, extra.Str())
	}
	res = checkMust(t, r, CheckOptions{ReadData: true, ReadPack: func(ID) bool { return true }})
	if res.PacksRead != len(ids) {
		t.Errorf("ReadData with ReadPack read %d packs, want each of %d once", res.PacksRead, len(ids))
	}
}

// A pack ReadPack selects that the backend lacks is reported missing,
// not read.
func TestCheckReadPackMissing(t *testing.T) {
	r, dir := newCheckRepo(t, 2, false)
	gone := checkPackOf(t, r, DataBlob)
	if err := os.Remove(checkPackFile(dir, gone)); err != nil {
		t.Fatal(err)
	}
	res := checkMust(t, checkOpen(t, dir), CheckOptions{ReadPack: func(pid ID) bool { return pid == gone }})
	if res.PacksRead != 0 || len(res.PacksVerified) != 0 || !slices.Contains(checkIssueKinds(res.Errors), IssuePackMissing) {
		t.Errorf("read %d, verified %v, errors %v; want the pack reported missing", res.PacksRead, res.PacksVerified, res.Errors)
	}
}
