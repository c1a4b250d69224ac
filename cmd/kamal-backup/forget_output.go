package main

import (
	"fmt"
	"strings"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// forgetGroup is one element of "forget --json", in restic 0.18's shape:
// the group key (fields not grouped by are null or ""), the kept and the
// removed snapshots newest first, and why each kept one is kept. Empty
// lists are null, as in restic.
type forgetGroup struct {
	Tags    []string       `json:"tags"`
	Host    string         `json:"host"`
	Paths   []string       `json:"paths"`
	Keep    []cli.Snapshot `json:"keep"`
	Remove  []cli.Snapshot `json:"remove"`
	Reasons []keepReason   `json:"reasons"`
}

// keepReason is one entry of a forget group's "reasons".
type keepReason struct {
	Snapshot cli.Snapshot `json:"snapshot"`
	Matches  []string     `json:"matches"`
}

// newForgetGroup converts a retention decision to its JSON form.
func newForgetGroup(gr retention.GroupResult) forgetGroup {
	fg := forgetGroup{Tags: gr.Key.Tags, Host: gr.Key.Hostname, Paths: gr.Key.Paths,
		Keep: jsonSnapshots(gr.Keep), Remove: jsonSnapshots(gr.Remove)}
	for _, r := range gr.Reasons {
		fg.Reasons = append(fg.Reasons, keepReason{Snapshot: cli.NewSnapshot(r.Snapshot), Matches: r.Matches})
	}
	return fg
}

// jsonSnapshots returns the JSON records of snaps, nil for none.
func jsonSnapshots(snaps []*repo.Snapshot) []cli.Snapshot {
	var out []cli.Snapshot
	for _, sn := range snaps {
		out = append(out, cli.NewSnapshot(sn))
	}
	return out
}

// reportForget prints the policy's decisions: restic's JSON array, or
// per group a table of the kept snapshots with the reasons and one of the
// removed snapshots. For explicit IDs (byID) there are no groups: the
// JSON array is empty and no text is printed.
func (g *Globals) reportForget(p retention.Policy, groups []retention.GroupResult, byID bool) error {
	if g.JSON {
		out := make([]forgetGroup, 0, len(groups))
		for _, gr := range groups {
			out = append(out, newForgetGroup(gr))
		}
		return g.printJSON(out)
	}
	if byID {
		return nil
	}
	var b strings.Builder
	b.WriteString("Applying Policy: " + p.String() + "\n")
	for _, gr := range groups {
		if len(gr.Keep) > 0 {
			reasons := make([][]string, len(gr.Reasons))
			for i, r := range gr.Reasons {
				reasons[i] = r.Matches
			}
			fmt.Fprintf(&b, "keep %d snapshots:\n", len(gr.Keep))
			if err := writeForgetTable(&b, gr.Keep, reasons); err != nil {
				return err
			}
			b.WriteString("\n")
		}
		if len(gr.Remove) > 0 {
			fmt.Fprintf(&b, "remove %d snapshots:\n", len(gr.Remove))
			if err := writeForgetTable(&b, gr.Remove, nil); err != nil {
				return err
			}
			b.WriteString("\n")
		}
	}
	g.verbosef("%s", b.String())
	return nil
}
