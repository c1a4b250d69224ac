package repo

// checkAddSelected returns chosen followed by the packs of ids (the
// index's, sorted) that sel selects and chosen lacks, in ids' order.
// A nil sel adds nothing.
func checkAddSelected(chosen, ids []ID, sel func(ID) bool) []ID {
	if sel == nil {
		return chosen
	}
	in := make(map[ID]struct{}, len(chosen))
	for _, pid := range chosen {
		in[pid] = struct{}{}
	}
	out := chosen
	for _, pid := range ids {
		if _, dup := in[pid]; !dup && sel(pid) {
			out = append(out, pid)
		}
	}
	return out
}
