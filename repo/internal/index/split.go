package index

// MaxBlobsPerFile is the number of blobs after which restic (0.17+) starts a
// new index file.
const MaxBlobsPerFile = 50000

// Split groups packs into index files of at most max blobs each (max ≤ 0
// means MaxBlobsPerFile), keeping the given order. A pack is never split
// across files, since restic's check flags packs listed in several index
// files; a pack with more than max blobs gets a file of its own. An empty
// input gives no files.
func Split(packs []Pack, max int) [][]Pack {
	if max <= 0 {
		max = MaxBlobsPerFile
	}
	var files [][]Pack
	var cur []Pack
	n := 0
	for _, p := range packs {
		if len(cur) > 0 && n+len(p.Blobs) > max {
			files = append(files, cur)
			cur, n = nil, 0
		}
		cur = append(cur, p)
		n += len(p.Blobs)
	}
	if len(cur) > 0 {
		files = append(files, cur)
	}
	return files
}
