package crypto

import "math/bits"

// roMix replaces x, a lane of 2r 64-byte blocks held as 32r little-endian
// words, by scryptROMix(x) (RFC 7914 §5): it fills v (32r*N words) with
// the chain of BlockMix results, then mixes x with N of them chosen by x
// itself. tmp is scratch space of 32r words.
func roMix(x, tmp, v []uint32, n, r int) {
	w := 32 * r
	copy(v[:w], x)
	for i := 1; i < n; i++ {
		blockMix(v[i*w:(i+1)*w], v[(i-1)*w:i*w], nil, r)
	}
	blockMix(x, v[(n-1)*w:], nil, r)
	cur, other := x, tmp
	for range n {
		j := integerify(cur, r) & uint64(n-1)
		blockMix(other, cur, v[int(j)*w:(int(j)+1)*w], r)
		cur, other = other, cur
	}
	if &cur[0] != &x[0] {
		copy(x, cur)
	}
}

// integerify reads the first 8 bytes of the last 64-byte block of b as a
// little-endian integer.
func integerify(b []uint32, r int) uint64 {
	last := (2*r - 1) * 16
	return uint64(b[last]) | uint64(b[last+1])<<32
}

// blockMix sets out to scryptBlockMix(in xor mask) (RFC 7914 §4); a nil
// mask means none. Each 64-byte block, xored into the running state, goes
// through Salsa20/8; the even-numbered results fill the first half of out
// and the odd-numbered the second. out must not overlap in or mask.
func blockMix(out, in, mask []uint32, r int) {
	var s [16]uint32
	last := (2*r - 1) * 16
	copy(s[:], in[last:last+16])
	if mask != nil {
		xorBlock(&s, mask[last:last+16])
	}
	for i := range 2 * r {
		xorBlock(&s, in[i*16:i*16+16])
		if mask != nil {
			xorBlock(&s, mask[i*16:i*16+16])
		}
		salsa208(&s)
		at := (i/2 + (i%2)*r) * 16
		copy(out[at:at+16], s[:])
	}
}

// xorBlock xors the 16 words of b into s.
func xorBlock(s *[16]uint32, b []uint32) {
	b = b[:16]
	for i := range s {
		s[i] ^= b[i]
	}
}

// salsa208 replaces s by the Salsa20/8 core of s (RFC 7914 §3): four
// double rounds of column and row quarter-rounds, then the input added
// back word by word.
func salsa208(s *[16]uint32) {
	x0, x1, x2, x3, x4, x5, x6, x7 := s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]
	x8, x9, x10, x11, x12, x13, x14, x15 := s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15]
	rot := bits.RotateLeft32
	for range 4 {
		// Columns.
		x4 ^= rot(x0+x12, 7)
		x8 ^= rot(x4+x0, 9)
		x12 ^= rot(x8+x4, 13)
		x0 ^= rot(x12+x8, 18)
		x9 ^= rot(x5+x1, 7)
		x13 ^= rot(x9+x5, 9)
		x1 ^= rot(x13+x9, 13)
		x5 ^= rot(x1+x13, 18)
		x14 ^= rot(x10+x6, 7)
		x2 ^= rot(x14+x10, 9)
		x6 ^= rot(x2+x14, 13)
		x10 ^= rot(x6+x2, 18)
		x3 ^= rot(x15+x11, 7)
		x7 ^= rot(x3+x15, 9)
		x11 ^= rot(x7+x3, 13)
		x15 ^= rot(x11+x7, 18)
		// Rows.
		x1 ^= rot(x0+x3, 7)
		x2 ^= rot(x1+x0, 9)
		x3 ^= rot(x2+x1, 13)
		x0 ^= rot(x3+x2, 18)
		x6 ^= rot(x5+x4, 7)
		x7 ^= rot(x6+x5, 9)
		x4 ^= rot(x7+x6, 13)
		x5 ^= rot(x4+x7, 18)
		x11 ^= rot(x10+x9, 7)
		x8 ^= rot(x11+x10, 9)
		x9 ^= rot(x8+x11, 13)
		x10 ^= rot(x9+x8, 18)
		x12 ^= rot(x15+x14, 7)
		x13 ^= rot(x12+x15, 9)
		x14 ^= rot(x13+x12, 13)
		x15 ^= rot(x14+x13, 18)
	}
	s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7] = s[0]+x0, s[1]+x1, s[2]+x2, s[3]+x3, s[4]+x4, s[5]+x5, s[6]+x6, s[7]+x7
	s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15] = s[8]+x8, s[9]+x9, s[10]+x10, s[11]+x11, s[12]+x12, s[13]+x13, s[14]+x14, s[15]+x15
}
