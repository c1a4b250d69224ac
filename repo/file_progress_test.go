package repo_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo"
)

// countingProgress is a repo.Progress that records its calls.
type countingProgress struct {
	mu           sync.Mutex
	starts, done int
	total        int64
	bytes        atomic.Int64
	addsAfter    int // Add calls after Done
}

func (p *countingProgress) Start(total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.starts++
	p.total = total
}

func (p *countingProgress) Add(n int64) {
	p.mu.Lock()
	if p.done > 0 {
		p.addsAfter++
	}
	p.mu.Unlock()
	p.bytes.Add(n)
}

func (p *countingProgress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
}

func TestBackupStreamProgress(t *testing.T) {
	ctx := context.Background()
	r, _ := newRepo(t, 2)
	data := randomData(5<<20+123, 9)
	p := &countingProgress{}
	if _, err := r.BackupStream(ctx, "db.sql", bytes.NewReader(data), repo.SnapshotOptions{Progress: p}); err != nil {
		t.Fatal(err)
	}
	if p.starts != 1 || p.done != 1 || p.total != -1 || p.bytes.Load() != int64(len(data)) || p.addsAfter != 0 {
		t.Errorf("progress: %d starts (total %d), %d done, %d bytes of %d, %d adds after done",
			p.starts, p.total, p.done, p.bytes.Load(), len(data), p.addsAfter)
	}
	// A failing source still ends the progress.
	p = &countingProgress{}
	if _, err := r.BackupStream(ctx, "db.sql", &failingReader{n: 1 << 20}, repo.SnapshotOptions{Progress: p}); err == nil {
		t.Fatal("failing source: no error")
	}
	if p.starts != 1 || p.done != 1 || p.bytes.Load() != 1<<20 {
		t.Errorf("failed backup progress: %d starts, %d done, %d bytes", p.starts, p.done, p.bytes.Load())
	}
}

func TestProgressReader(t *testing.T) {
	src := bytes.NewReader(make([]byte, 100_000))
	if got := repo.ProgressReader(src, nil); got != io.Reader(src) {
		t.Error("a nil Progress should return the reader itself")
	}
	p := &countingProgress{}
	n, err := io.Copy(io.Discard, repo.ProgressReader(src, p))
	if err != nil || n != 100_000 || p.bytes.Load() != n || p.starts != 0 || p.done != 0 {
		t.Errorf("copied %d (%v), counted %d, %d starts, %d done", n, err, p.bytes.Load(), p.starts, p.done)
	}
}
