package redact

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestValueSpansNaive compares valueSpans, which skips ahead by a value's
// period, with marking every overlapping occurrence one byte at a time,
// on small random strings over a two-letter alphabet where periodic
// values and overlaps are common.
func TestValueSpansNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "ab"[rng.IntN(2)]
		}
		return string(b)
	}
	for range 20000 {
		s := word(rng.IntN(40))
		vals := []value{newValue(word(1 + rng.IntN(6))), newValue(word(1 + rng.IntN(6)))}
		covered := make([]bool, len(s))
		for _, v := range vals {
			for i := 0; i+len(v.v) <= len(s); i++ {
				if strings.HasPrefix(s[i:], v.v) {
					for k := i; k < i+len(v.v); k++ {
						covered[k] = true
					}
				}
			}
		}
		got := make([]bool, len(s))
		for _, sp := range valueSpans(s, vals) {
			for k := sp.start; k < sp.end; k++ {
				got[k] = true
			}
		}
		if !slices.Equal(got, covered) {
			t.Fatalf("s=%q values=%q %q: spans %v", s, vals[0].v, vals[1].v, valueSpans(s, vals))
		}
	}
}

func TestValuePeriod(t *testing.T) {
	for v, want := range map[string]int{"a": 1, "aaaa": 1, "abab": 2, "abaab": 3, "abc": 3, "abcab": 3} {
		if got := newValue(v).period; got != want {
			t.Errorf("period(%q) = %d, want %d", v, got, want)
		}
	}
}
