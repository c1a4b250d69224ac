package interop

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// resticOnlyFields are record markers restic adds to its JSON output.
var resticOnlyFields = []string{"message_type", "struct_type"}

// compareFields reports every field whose presence or value differs
// between restic's JSON object and ours, ignoring resticOnlyFields.
func compareFields(t testing.TB, what string, restic, ours map[string]any) {
	t.Helper()
	keys := map[string]bool{}
	for k := range restic {
		keys[k] = true
	}
	for k := range ours {
		keys[k] = true
	}
	for k := range keys {
		if slices.Contains(resticOnlyFields, k) {
			continue
		}
		rv, rok := restic[k]
		ov, ook := ours[k]
		switch {
		case !rok:
			t.Errorf("%s: field %q: restic omits it, ours %v", what, k, ov)
		case !ook:
			t.Errorf("%s: field %q: restic %v, ours omits it", what, k, rv)
		case !reflect.DeepEqual(rv, ov):
			t.Errorf("%s: field %q: restic %v, ours %v", what, k, rv, ov)
		}
	}
}

// jsonObject marshals v and decodes it back into a map with exact numbers.
func jsonObject(t testing.TB, v any) map[string]any {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// snapshotJSON is our snapshot as restic snapshots --json prints it.
func snapshotJSON(t testing.TB, sn *repo.Snapshot) map[string]any {
	t.Helper()
	m := jsonObject(t, sn)
	m["id"] = sn.ID().String()
	m["short_id"] = sn.ID().Str()
	return m
}

// snapshotIDs returns the IDs of our snapshots, in order.
func snapshotIDs(snaps []*repo.Snapshot) []string {
	ids := make([]string, len(snaps))
	for i, s := range snaps {
		ids[i] = s.ID().String()
	}
	return ids
}

// resticIDs returns the "id" fields of restic's JSON records, in order.
func resticIDs(l []map[string]any) []string {
	ids := make([]string, len(l))
	for i, m := range l {
		ids[i], _ = m["id"].(string)
	}
	return ids
}
