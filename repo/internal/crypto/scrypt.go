package crypto

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// scryptParallelMemory bounds the memory of the lanes computed at once:
// each needs 128*r*N bytes (32 MiB with N=32768, r=8), so a hostile key
// file with a large p cannot make every processor claim up to 1 GiB.
const scryptParallelMemory = 256 << 20

// Scrypt derives keyLen bytes from password and salt with scrypt as RFC
// 7914 defines it: PBKDF2-HMAC-SHA256 expands them into p blocks of
// 128*r bytes, each block ("lane") goes through ROMix with cost N, and
// PBKDF2 over the mixed blocks gives the key. The lanes are independent,
// so up to GOMAXPROCS of them run at once, fewer when their memory would
// pass 256 MiB; the result is the same as computing them one by one.
//
// N must be a power of two greater than 1 and r*p below 2^30, the limits
// golang.org/x/crypto/scrypt also sets (neither caps N at 2^(16r)).
func Scrypt(password string, salt []byte, n, r, p, keyLen int) ([]byte, error) {
	if err := checkScrypt(n, r, p, keyLen); err != nil {
		return nil, err
	}
	return scryptKey(password, salt, n, r, p, keyLen, lanesAtOnce(n, r, p))
}

// checkScrypt rejects parameters scrypt is not defined for or that do
// not fit in memory.
func checkScrypt(n, r, p, keyLen int) error {
	switch {
	case n <= 1 || n&(n-1) != 0:
		return fmt.Errorf("scrypt: N=%d is not a power of two greater than 1", n)
	case r <= 0 || p <= 0:
		return fmt.Errorf("scrypt: r=%d and p=%d must be positive", r, p)
	case uint64(r)*uint64(p) >= 1<<30:
		return fmt.Errorf("scrypt: r*p=%d must be below 2^30", uint64(r)*uint64(p))
	case r > math.MaxInt/256/p || n > math.MaxInt/128/r:
		return fmt.Errorf("scrypt: N=%d r=%d p=%d need more memory than can be addressed", n, r, p)
	case keyLen <= 0 || uint64(keyLen) > (1<<32-1)*sha256.Size:
		return fmt.Errorf("scrypt: key length %d out of range", keyLen)
	}
	return nil
}

// lanesAtOnce is how many of the p lanes run at once: one per processor,
// within scryptParallelMemory, and at least one.
func lanesAtOnce(n, r, p int) int {
	byMemory := max(1, scryptParallelMemory/(128*r*n))
	return max(1, min(p, runtime.GOMAXPROCS(0), byMemory))
}

// scryptKey is Scrypt on valid parameters with the lanes spread over
// workers goroutines.
func scryptKey(password string, salt []byte, n, r, p, keyLen, workers int) ([]byte, error) {
	laneBytes := 128 * r
	b, err := pbkdf2.Key(sha256.New, password, salt, 1, p*laneBytes)
	if err != nil {
		return nil, fmt.Errorf("scrypt: expand: %w", err)
	}
	var next atomic.Int64 // the next lane to take
	var wg sync.WaitGroup
	for range min(workers, p) {
		wg.Go(func() {
			x := make([]uint32, 32*r)
			tmp := make([]uint32, 32*r)
			v := make([]uint32, 32*r*n)
			for {
				i := int(next.Add(1) - 1)
				if i >= p {
					return
				}
				lane := b[i*laneBytes : (i+1)*laneBytes]
				for j := range x {
					x[j] = binary.LittleEndian.Uint32(lane[4*j:])
				}
				roMix(x, tmp, v, n, r)
				for j, w := range x {
					binary.LittleEndian.PutUint32(lane[4*j:], w)
				}
			}
		})
	}
	wg.Wait()
	// The lanes' buffers (32 MiB each with restic's parameters) are
	// garbage now: collecting them at once lets what the process
	// allocates next reuse their memory instead of growing past them.
	runtime.GC()
	dk, err := pbkdf2.Key(sha256.New, password, b, 1, keyLen)
	clear(b)
	if err != nil {
		return nil, fmt.Errorf("scrypt: finish: %w", err)
	}
	return dk, nil
}
