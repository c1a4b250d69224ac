package retention_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

func TestParseGroupBy(t *testing.T) {
	cases := map[string]retention.GroupBy{
		"host,paths":      {Host: true, Paths: true},
		"":                {},
		",":               {},
		"tags":            {Tags: true},
		"tag,path,hosts":  {Host: true, Paths: true, Tags: true},
		"host,,host":      {Host: true},
		"paths,host,tags": {Host: true, Paths: true, Tags: true},
	}
	for in, want := range cases {
		if got, err := retention.ParseGroupBy(in); err != nil || got != want {
			t.Errorf("ParseGroupBy(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"foo", "Host", " host", "hostx"} {
		if _, err := retention.ParseGroupBy(in); err == nil {
			t.Errorf("ParseGroupBy(%q) accepted", in)
		}
	}
	if s := retention.DefaultGroupBy().String(); s != "host,paths" {
		t.Errorf("default = %q", s)
	}
}

func TestGroup(t *testing.T) {
	mk := func(host string, paths, tags []string) *repo.Snapshot {
		return &repo.Snapshot{Hostname: host, Paths: paths, Tags: tags}
	}
	s1 := mk("h2", []string{"/b", "/a"}, []string{"y", "x"})
	s2 := mk("h1", []string{"/a", "/b"}, nil)
	s3 := mk("h2", []string{"/a", "/b"}, []string{"x", "y"})
	s4 := mk("h1", []string{"/c"}, []string{"x"})
	snaps := []*repo.Snapshot{s1, s2, s3, s4}

	type grp struct {
		key   string
		snaps []*repo.Snapshot
	}
	check := func(by retention.GroupBy, want []grp) {
		t.Helper()
		var got []grp
		for _, g := range retention.Group(snaps, by) {
			b, _ := json.Marshal(g.Key)
			got = append(got, grp{string(b), g.Snapshots})
		}
		if !slices.EqualFunc(got, want, func(a, b grp) bool { return a.key == b.key && slices.Equal(a.snaps, b.snaps) }) {
			t.Errorf("group by %q:\n got  %v\n want %v", by, got, want)
		}
	}
	check(retention.DefaultGroupBy(), []grp{
		{`{"hostname":"h1","paths":["/a","/b"],"tags":null}`, []*repo.Snapshot{s2}},
		{`{"hostname":"h1","paths":["/c"],"tags":null}`, []*repo.Snapshot{s4}},
		{`{"hostname":"h2","paths":["/a","/b"],"tags":null}`, []*repo.Snapshot{s1, s3}},
	})
	check(retention.GroupBy{Tags: true}, []grp{
		{`{"hostname":"","paths":null,"tags":null}`, []*repo.Snapshot{s2}},
		{`{"hostname":"","paths":null,"tags":["x"]}`, []*repo.Snapshot{s4}},
		{`{"hostname":"","paths":null,"tags":["x","y"]}`, []*repo.Snapshot{s1, s3}},
	})
	check(retention.GroupBy{}, []grp{{`{"hostname":"","paths":null,"tags":null}`, snaps}})
	if got := retention.Group(nil, retention.DefaultGroupBy()); len(got) != 0 {
		t.Errorf("no snapshots: %v", got)
	}
	if s1.Paths[0] != "/b" || s1.Tags[0] != "y" {
		t.Error("Group sorted the snapshot's own slices")
	}
}

func TestGroupKeyString(t *testing.T) {
	cases := map[string]retention.GroupKey{
		"host h1, path [/a /b]":             {Hostname: "h1", Paths: []string{"/a", "/b"}},
		"host h3, path [/f /g], tags [y z]": {Hostname: "h3", Paths: []string{"/f", "/g"}, Tags: []string{"y", "z"}},
		"tags [t3]":                         {Tags: []string{"t3"}},
		"":                                  {},
	}
	for want, k := range cases {
		if got := k.String(); got != want {
			t.Errorf("%+v: %q, want %q", k, got, want)
		}
	}
}
