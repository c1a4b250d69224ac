package bench

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchSize is the size of the stream benchmarks' inputs; BENCH_MIB
// overrides the default 1 GiB for quick runs.
func benchSize() int64 {
	if v, err := strconv.Atoi(os.Getenv("BENCH_MIB")); err == nil && v > 0 {
		return int64(v) << 20
	}
	return 1 << 30
}

// randomFile writes n incompressible bytes.
func randomFile(b *testing.B, path string, n int64, seed byte) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{seed})
	buf := make([]byte, 1<<20)
	for n > 0 {
		k := min(int64(len(buf)), n)
		rng.Read(buf[:k])
		if _, err := f.Write(buf[:k]); err != nil {
			b.Fatal(err)
		}
		n -= k
	}
}

// sqlFile writes n bytes of text shaped like a pg_dump plain dump.
func sqlFile(b *testing.B, path string, n int64) {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(7, 7))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"}
	var written int64
	fmt.Fprintf(w, "--\n-- PostgreSQL database dump\n--\n\nCOPY public.users (id, name, email, created_at, score, bio) FROM stdin;\n")
	for id := 1; written < n; id++ {
		line := fmt.Sprintf("%d\t%s %s\t%s%d@example.com\t2024-%02d-%02d %02d:%02d:%02d.%06d+00\t%d.%02d\t%s %s %s %s\n",
			id, words[rng.IntN(len(words))], words[rng.IntN(len(words))], words[rng.IntN(len(words))], rng.IntN(100000),
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1000000),
			rng.IntN(10000), rng.IntN(100), words[rng.IntN(len(words))], words[rng.IntN(len(words))],
			words[rng.IntN(len(words))], strconv.FormatUint(rng.Uint64(), 36))
		if written+int64(len(line)) > n {
			line = line[:n-written]
		}
		k, err := w.WriteString(line)
		if err != nil {
			b.Fatal(err)
		}
		written += int64(k)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
}

// manyFiles creates count files of mixed sizes (mostly small, some large)
// below dir and returns their total size.
func manyFiles(b *testing.B, dir string, count int) int64 {
	b.Helper()
	rng := rand.New(rand.NewPCG(3, 3))
	chacha := rand.NewChaCha8([32]byte{9})
	var total int64
	buf := make([]byte, 4<<20)
	for i := range count {
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i%200), fmt.Sprintf("e%02d", (i/200)%10))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		size := 1 + rng.IntN(16<<10)
		switch r := rng.IntN(100); {
		case r == 0:
			size = 1<<20 + rng.IntN(3<<20)
		case r < 10:
			size = 64<<10 + rng.IntN(448<<10)
		}
		chacha.Read(buf[:size])
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d.bin", i)), buf[:size], 0o644); err != nil {
			b.Fatal(err)
		}
		total += int64(size)
	}
	return total
}

// concat appends the file src to dst, streaming.
func concat(b *testing.B, dst, src string) {
	b.Helper()
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	f, err := os.OpenFile(dst, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, in); err != nil {
		b.Fatal(err)
	}
}

// fileHash returns the hex SHA-256 of a file.
func fileHash(b *testing.B, path string) string {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
