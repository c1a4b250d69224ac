package repo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// MaxDataSubsetBuckets is the largest t of an "n/t" subset: packs are
// bucketed by their first ID byte.
const MaxDataSubsetBuckets = 256

// checkMaxBuckets is MaxDataSubsetBuckets.
const checkMaxBuckets = MaxDataSubsetBuckets

// DataSubset selects the packs Check reads. The zero value selects every
// pack; at most one of its forms is set.
type DataSubset struct {
	// Bucket and Buckets select the packs whose first ID byte modulo
	// Buckets equals Bucket-1 (form "n/t", 1 ≤ n ≤ t ≤ 256).
	Bucket, Buckets int
	// Percent selects floor(count·Percent/100) packs at random, at least
	// one (form "x%", 0 < x ≤ 100).
	Percent float64
	// Bytes selects the same share of the packs at random as Bytes is of
	// the total pack size, at most all of them (form "500M").
	Bytes int64
}

// errCheckSubsetSyntax is wrapped by ParseDataSubset errors about the form.
var errCheckSubsetSyntax = errors.New(`want "n/t", "x%" or a size with unit k, M, G or T such as "500M"`)

// ParseDataSubset parses a read-data subset in one of restic's forms: "n/t"
// (the n-th of t groups of packs), "x%" (x percent of the packs, chosen at
// random) or a size with a unit k, M, G or T, powers of 1024, either case
// ("500M": about that many bytes of packs, chosen at random).
func ParseDataSubset(s string) (DataSubset, error) {
	switch {
	case strings.Contains(s, "/"):
		n, t, ok := strings.Cut(s, "/")
		bucket, err1 := strconv.Atoi(n)
		buckets, err2 := strconv.Atoi(t)
		if !ok || err1 != nil || err2 != nil || bucket < 1 || buckets < 1 || bucket > buckets {
			return DataSubset{}, fmt.Errorf("read-data subset %q: n/t must be positive integers with n <= t, e.g. 1/5", s)
		}
		if buckets > checkMaxBuckets {
			return DataSubset{}, fmt.Errorf("read-data subset %q: t must be at most %d", s, checkMaxBuckets)
		}
		return DataSubset{Bucket: bucket, Buckets: buckets}, nil
	case strings.HasSuffix(s, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || math.IsNaN(p) || p <= 0 || p > 100 {
			return DataSubset{}, fmt.Errorf("read-data subset %q: x%% must be a number above 0 and at most 100", s)
		}
		return DataSubset{Percent: p}, nil
	}
	n, err := checkParseSize(s)
	if err != nil {
		return DataSubset{}, fmt.Errorf("read-data subset %q: %w", s, err)
	}
	return DataSubset{Bytes: n}, nil
}

// checkParseSize parses a positive integer followed by k, M, G or T (either
// case), powers of 1024. A bare number is refused, as restic does.
func checkParseSize(s string) (int64, error) {
	if s == "" {
		return 0, errCheckSubsetSyntax
	}
	shift := strings.IndexByte("kmgt", strings.ToLower(s[len(s)-1:])[0])
	if shift < 0 {
		return 0, errCheckSubsetSyntax
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 {
		return 0, errCheckSubsetSyntax
	}
	bits := 10 * uint(shift+1)
	if n > math.MaxInt64>>bits {
		return 0, fmt.Errorf("size too large")
	}
	return n << bits, nil
}

// selectPacks returns the packs of ids (sorted, with sizes) that s selects.
// Random forms draw a permutation from rng.
func (s DataSubset) selectPacks(ids []ID, sizes []int64, rng *rand.Rand) []ID {
	switch {
	case s.Buckets > 0:
		var out []ID
		for _, p := range ids {
			if int(p[0])%s.Buckets == s.Bucket-1 {
				out = append(out, p)
			}
		}
		return out
	case s.Percent > 0:
		return checkRandomPacks(ids, s.Percent, rng)
	case s.Bytes > 0:
		var total int64
		for _, n := range sizes {
			total += n
		}
		if total == 0 {
			return nil
		}
		return checkRandomPacks(ids, min(float64(s.Bytes)/float64(total)*100, 100), rng)
	}
	return ids
}

// checkRandomPacks picks floor(len(ids)·percent/100) packs, at least one.
func checkRandomPacks(ids []ID, percent float64, rng *rand.Rand) []ID {
	n := int(float64(len(ids)) * percent / 100)
	if n < 1 && len(ids) > 0 {
		n = 1
	}
	out := make([]ID, 0, n)
	for _, i := range rng.Perm(len(ids))[:n] {
		out = append(out, ids[i])
	}
	return out
}
