package interop

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// TestSnapshots compares repo.Snapshots with restic snapshots --json field
// by field: IDs, times, trees, paths, hosts, tags, summaries.
func TestSnapshots(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		ours, err := rr.r.Snapshots(t.Context(), repo.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := snapshotIDs(ours), resticIDs(rr.snaps); !slices.Equal(got, want) {
			t.Fatalf("snapshot IDs (oldest first):\nours   %v\nrestic %v", got, want)
		}
		for i, sn := range ours {
			compareFields(t, "snapshot "+sn.ID().Str(), rr.snaps[i], snapshotJSON(t, sn))
		}
	})
}

// filterCase is a restic snapshot filter and the same filter for us.
type filterCase struct {
	name string
	args []string
	f    repo.Filter
}

func filterCases(rr *resticRepo) []filterCase {
	tags := func(v ...string) repo.Filter { return repo.Filter{Tags: repo.ParseTagLists(v)} }
	return []filterCase{
		{"no filter", nil, repo.Filter{}},
		{"default host", []string{"--host", rr.fix.Hostname}, repo.Filter{Hosts: []string{rr.fix.Hostname}}},
		{"second host", []string{"--host", secondHost}, repo.Filter{Hosts: []string{secondHost}}},
		{"two hosts", []string{"--host", secondHost, "--host", prefixHost}, repo.Filter{Hosts: []string{secondHost, prefixHost}}},
		{"unknown host", []string{"--host", "nope"}, repo.Filter{Hosts: []string{"nope"}}},
		{"one tag", []string{"--tag", "kamal-backup"}, tags("kamal-backup")},
		{"a and b", []string{"--tag", "kamal-backup,type:database"}, tags("kamal-backup,type:database")},
		{"(a and b) or c", []string{"--tag", "kamal-backup,type:database", "--tag", "type:files"}, tags("kamal-backup,type:database", "type:files")},
		{"a or b", []string{"--tag", "type:database", "--tag", "type:files"}, tags("type:database", "type:files")},
		{"contradiction", []string{"--tag", "type:database,type:files"}, tags("type:database,type:files")},
		{"untagged", []string{"--tag", ""}, tags("")},
		{"dir path", []string{"--path", rr.fix.Dir}, repo.Filter{Paths: []string{rr.fix.Dir}}},
		{"stdin path", []string{"--path", "/" + stdinName}, repo.Filter{Paths: []string{"/" + stdinName}}},
		{"both paths", []string{"--path", rr.fix.Dir, "--path", "/" + stdinName}, repo.Filter{Paths: []string{rr.fix.Dir, "/" + stdinName}}},
		{"host and tag", []string{"--host", secondHost, "--tag", "kamal-backup"},
			repo.Filter{Hosts: []string{secondHost}, Tags: [][]string{{"kamal-backup"}}}},
		{"host and other tag", []string{"--host", rr.fix.Hostname, "--tag", "type:files"},
			repo.Filter{Hosts: []string{rr.fix.Hostname}, Tags: [][]string{{"type:files"}}}},
	}
}

// TestFilters checks host, tag and path filters against restic snapshots.
func TestFilters(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		for _, c := range filterCases(rr) {
			want, err := decodeJSONList(rr.restic(t, append([]string{"snapshots", "--json"}, c.args...)...))
			if err != nil {
				t.Fatal(err)
			}
			ours, err := rr.r.Snapshots(t.Context(), c.f)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := snapshotIDs(ours), resticIDs(want); !slices.Equal(got, want) {
				t.Errorf("%s %q:\nours   %v\nrestic %v", c.name, c.args, got, want)
			}
		}
	})
}

// TestLatest checks that "latest" under a filter picks restic's snapshot.
func TestLatest(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		// restic cleans --path values only when resolving "latest"; its
		// listing compares them exactly (see TestFilterUncleanPath).
		unclean := rr.fix.Dir + "/./"
		cases := append(filterCases(rr), filterCase{"unclean path", []string{"--path", unclean}, repo.Filter{Paths: []string{unclean}}})
		for _, c := range cases {
			out, err := rr.output(t, nil, nil, append([]string{"snapshots", "--json", "latest"}, c.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodeJSONList(out)
			if err != nil {
				t.Fatal(err)
			}
			sn, err := rr.r.FindSnapshot(t.Context(), "latest", c.f)
			if len(want) == 0 {
				if !errors.Is(err, repo.ErrNotFound) {
					t.Errorf("%s: latest: got %v, %v, want ErrNotFound", c.name, sn, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: latest: %v", c.name, err)
				continue
			}
			if got := sn.ID().String(); len(want) != 1 || got != want[0]["id"] {
				t.Errorf("%s: latest: ours %s, restic %v", c.name, got, resticIDs(want))
			}
		}
	})
}

// TestFindSnapshotPrefix resolves full IDs, unique prefixes and an
// ambiguous one-character prefix.
func TestFindSnapshotPrefix(t *testing.T) {
	t.Parallel()
	forEachRepo(t, func(t *testing.T, rr *resticRepo) {
		ctx := t.Context()
		ids := resticIDs(rr.snaps)
		for _, sid := range ids {
			prefix := uniquePrefix(ids, sid)
			for _, ref := range []string{sid, sid[:8], prefix, strings.ToUpper(prefix)} {
				sn, err := rr.r.FindSnapshot(ctx, ref, repo.Filter{})
				if err != nil {
					t.Errorf("FindSnapshot(%q): %v", ref, err)
				} else if sn.ID().String() != sid {
					t.Errorf("FindSnapshot(%q) = %s, want %s", ref, sn.ID(), sid)
				}
			}
		}
		// restic resolves the same shortest prefix to the same snapshot.
		prefix := uniquePrefix(ids, rr.dirSnap)
		got, err := decodeJSONList(rr.restic(t, "snapshots", "--json", prefix))
		if err != nil || len(got) != 1 || got[0]["id"] != rr.dirSnap {
			t.Errorf("restic snapshots %s = %v, %v; want %s", prefix, resticIDs(got), err, rr.dirSnap)
		}

		amb := ambiguousPrefix(ids)
		var want []string
		for _, sid := range ids {
			if strings.HasPrefix(sid, amb) {
				want = append(want, sid)
			}
		}
		_, err = rr.r.FindSnapshot(ctx, amb, repo.Filter{})
		var ae *repo.AmbiguousIDError
		if !errors.As(err, &ae) {
			t.Fatalf("FindSnapshot(%q) among %v: got %v, want *repo.AmbiguousIDError", amb, ids, err)
		}
		if ae.Prefix != amb || len(ae.Candidates) != len(want) {
			t.Errorf("AmbiguousIDError %+v, want prefix %q and candidates for %v", ae, amb, want)
		}
		for _, c := range ae.Candidates {
			if !slices.ContainsFunc(want, func(s string) bool { return strings.HasPrefix(s, c) }) {
				t.Errorf("candidate %q is none of %v", c, want)
			}
		}
		if _, err := rr.output(t, nil, nil, "cat", "snapshot", amb); err == nil {
			t.Errorf("restic accepts the ambiguous prefix %q", amb)
		} else {
			t.Log(err)
		}

		for _, ref := range []string{unusedPrefix(ids), "", strings.Repeat("0", 64)} {
			if _, err := rr.r.FindSnapshot(ctx, ref, repo.Filter{}); !errors.Is(err, repo.ErrNotFound) {
				t.Errorf("FindSnapshot(%q): got %v, want ErrNotFound", ref, err)
			}
		}
	})
}

// TestFilterUncleanPath documents a difference: restic snapshots (and
// forget) match --path values exactly as given, while repo.Filter cleans
// them first ("/srv/./" matches a snapshot of "/srv"). restic does clean
// them when resolving "latest", which TestLatest covers.
func TestFilterUncleanPath(t *testing.T) {
	t.Parallel()
	rr := resticRepoFor(t, kinds[0])
	unclean := rr.fix.Dir + "/./"
	restic, err := decodeJSONList(rr.restic(t, "snapshots", "--json", "--path", unclean))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := rr.r.Snapshots(t.Context(), repo.Filter{Paths: []string{unclean}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := snapshotIDs(ours), resticIDs(restic); !slices.Equal(got, want) {
		t.Errorf("--path %q selects %v in restic snapshots, repo.Filter selects %v", unclean, want, got)
	}
}

// uniquePrefix returns the shortest prefix of id that no other ID shares.
func uniquePrefix(ids []string, id string) string {
	for n := 1; n < len(id); n++ {
		if !slices.ContainsFunc(ids, func(o string) bool { return o != id && strings.HasPrefix(o, id[:n]) }) {
			return id[:n]
		}
	}
	return id
}

// unusedPrefix returns a two-character prefix no ID starts with.
func unusedPrefix(ids []string) string {
	for i := 0; ; i++ {
		p := fmt.Sprintf("%02x", i)
		if !slices.ContainsFunc(ids, func(s string) bool { return strings.HasPrefix(s, p) }) {
			return p
		}
	}
}
