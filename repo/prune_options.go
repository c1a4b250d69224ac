package repo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// pruneConfig is PruneOptions validated and resolved.
type pruneConfig struct {
	// maxUnusedPercent (< 100) applies when maxUnusedBytes is negative;
	// unlimitedUnused allows any amount.
	maxUnusedPercent float64
	maxUnusedBytes   int64
	unlimitedUnused  bool

	maxRepackBytes     int64 // -1: no limit
	smallThreshold     int64 // packs below are small
	packSize           int
	cacheableOnly      bool
	repackUncompressed bool
	compression        bool // repository version 2
}

func (o PruneOptions) config(version uint) (pruneConfig, error) {
	c := pruneConfig{
		maxUnusedBytes:     -1,
		maxRepackBytes:     -1,
		packSize:           o.PackSize,
		cacheableOnly:      o.RepackCacheableOnly,
		repackUncompressed: o.RepackUncompressed,
		compression:        version >= 2,
	}
	if c.packSize < 0 {
		return c, fmt.Errorf("prune: invalid pack size %d", o.PackSize)
	}
	if c.packSize == 0 {
		c.packSize = DefaultPackSize
	}
	switch s := strings.TrimSpace(o.MaxUnused); {
	case s == "":
		c.maxUnusedPercent = 5
	case s == "unlimited":
		c.unlimitedUnused = true
	case strings.HasSuffix(s, "%"):
		p, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || math.IsNaN(p) || p < 0 || p >= 100 {
			return c, fmt.Errorf("prune: invalid max unused %q: want a percentage from 0%% to below 100%%, a size or \"unlimited\"", o.MaxUnused)
		}
		c.maxUnusedPercent = p
	default:
		n, err := pruneParseSize(s)
		if err != nil {
			return c, fmt.Errorf("prune: invalid max unused %q: %w", o.MaxUnused, err)
		}
		c.maxUnusedBytes = n
	}
	if o.MaxRepackSize != "" {
		n, err := pruneParseSize(o.MaxRepackSize)
		if err != nil {
			return c, fmt.Errorf("prune: invalid max repack size %q: %w", o.MaxRepackSize, err)
		}
		c.maxRepackBytes = n
	}
	c.smallThreshold = int64(c.packSize) / 25
	if o.RepackSmall {
		c.smallThreshold = int64(c.packSize) * 4 / 5
	}
	if o.RepackSmallerThan != "" {
		n, err := pruneParseSize(o.RepackSmallerThan)
		if err != nil {
			return c, fmt.Errorf("prune: invalid repack-smaller-than size %q: %w", o.RepackSmallerThan, err)
		}
		c.smallThreshold = n
	}
	return c, nil
}

// allowedUnused returns how many unused bytes may remain when used bytes
// are in use.
func (c pruneConfig) allowedUnused(used int64) int64 {
	switch {
	case c.unlimitedUnused:
		return math.MaxInt64
	case c.maxUnusedBytes >= 0:
		return c.maxUnusedBytes
	}
	return int64(float64(used) * c.maxUnusedPercent / (100 - c.maxUnusedPercent))
}

// pruneParseSize parses a byte count with an optional unit k, M, G or T
// (either case, powers of 1024), as restic's size flags do.
func pruneParseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	shift := 0
	if s != "" {
		switch s[len(s)-1] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		case 't', 'T':
			shift = 40
		}
		if shift != 0 {
			s = s[:len(s)-1]
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("want a non-negative number of bytes with an optional unit k, M, G or T")
	}
	return n << shift, nil
}
