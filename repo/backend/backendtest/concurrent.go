package backendtest

import (
	"context"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/backend"
)

// testConcurrent saves, stats and loads from 32 goroutines at once while
// all of them also read one shared file, then checks the listing.
func testConcurrent(t *testing.T, be backend.Backend) {
	const workers = 32
	shared, sharedName := randomFile(newRand(500), 50_000)
	sh := backend.Handle{Type: backend.IndexFile, Name: sharedName}
	save(t, be, sh, shared)

	files := make([][]byte, workers)
	names := make([]string, workers)
	for i := range workers {
		files[i], names[i] = randomFile(newRand(uint64(501+i)), 1000+i*997)
	}

	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			h := backend.Handle{Type: backend.PackFile, Name: names[i]}
			data := files[i]
			if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
				t.Errorf("save %v: %v", h, err)
				return
			}
			fi, err := be.Stat(context.Background(), h)
			if err != nil || fi.Size != int64(len(data)) {
				t.Errorf("stat %v: size %d, err %v; want size %d", h, fi.Size, err, len(data))
			}
			checkLoad(t, be, h, data, 0, 0)
			checkLoad(t, be, h, data, 100, int64(i))
			checkLoad(t, be, sh, shared, 1000, int64(i*1000))
			checkLoad(t, be, sh, shared, 0, 0)
		})
	}
	wg.Wait()

	want := make(map[string]int64, workers)
	for i := range workers {
		want[names[i]] = int64(len(files[i]))
	}
	checkList(t, be, backend.PackFile, want)
}
