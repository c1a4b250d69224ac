package rest_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/rest"
)

// BenchmarkSave uploads 16 MiB packs to a loopback rest-server over the
// default five connections: the backend's share of a backup's cost.
func BenchmarkSave(b *testing.B) {
	srv := testenv.StartRESTServer(b, testenv.RESTServerOpts{})
	be := open(b, srv, newRepoName(), rest.Options{})
	if err := be.Create(context.Background()); err != nil {
		b.Fatal(err)
	}
	const packSize = 16 << 20
	base := make([]byte, packSize)
	rand.NewChaCha8([32]byte{1}).Read(base)
	b.SetBytes(packSize)
	b.ResetTimer()
	var mu sync.Mutex
	n := 0
	var wg sync.WaitGroup
	sem := make(chan struct{}, be.Connections())
	for b.Loop() {
		mu.Lock()
		n++
		data := append([]byte(nil), base...)
		data[0], data[1], data[2] = byte(n), byte(n>>8), byte(n>>16)
		mu.Unlock()
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			h := backend.Handle{Type: backend.PackFile, Name: sha(data)}
			if err := be.Save(context.Background(), h, backend.NewByteReader(data)); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
}
