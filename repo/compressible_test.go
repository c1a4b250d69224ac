package repo

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
)

func TestCompressible(t *testing.T) {
	random := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{1}).Read(random)
	sql := bytes.Repeat([]byte("INSERT INTO users VALUES (1, 'alice', 'alice@example.com');\n"), 20000)
	for _, tc := range []struct {
		name string
		data []byte
		want bool
	}{
		{"random", random, false},
		{"sql text", sql, true},
		{"small random is always tried", random[:4*sampleSize], true},
		{"zeros", make([]byte, 1<<20), true},
	} {
		if got := compressible(pack.Encoder(), tc.data); got != tc.want {
			t.Errorf("%s: compressible = %v, want %v", tc.name, got, tc.want)
		}
	}
}
