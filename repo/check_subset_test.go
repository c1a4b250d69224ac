package repo

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestCheckParseDataSubset(t *testing.T) {
	tests := []struct {
		in      string
		want    DataSubset
		wantErr string
	}{
		{in: "1/5", want: DataSubset{Bucket: 1, Buckets: 5}},
		{in: "5/5", want: DataSubset{Bucket: 5, Buckets: 5}},
		{in: "1/256", want: DataSubset{Bucket: 1, Buckets: 256}},
		{in: "1/257", wantErr: "at most 256"},
		{in: "0/3", wantErr: "n <= t"},
		{in: "4/3", wantErr: "n <= t"},
		{in: "1/0", wantErr: "n <= t"},
		{in: "-1/3", wantErr: "n <= t"},
		{in: "a/3", wantErr: "n <= t"},
		{in: "1/2/3", wantErr: "n <= t"},
		{in: "50%", want: DataSubset{Percent: 50}},
		{in: "1.5%", want: DataSubset{Percent: 1.5}},
		{in: "100%", want: DataSubset{Percent: 100}},
		{in: "0%", wantErr: "above 0"},
		{in: "101%", wantErr: "above 0"},
		{in: "NaN%", wantErr: "above 0"},
		{in: "x%", wantErr: "above 0"},
		{in: "10k", want: DataSubset{Bytes: 10 << 10}},
		{in: "10K", want: DataSubset{Bytes: 10 << 10}},
		{in: "500M", want: DataSubset{Bytes: 500 << 20}},
		{in: "1G", want: DataSubset{Bytes: 1 << 30}},
		{in: "2t", want: DataSubset{Bytes: 2 << 40}},
		{in: "10000000000T", wantErr: "too large"},
		{in: "1.5G", wantErr: "n/t"},
		{in: "10000", wantErr: "n/t"},
		{in: "0M", wantErr: "n/t"},
		{in: "-5M", wantErr: "n/t"},
		{in: "10KiB", wantErr: "n/t"},
		{in: "G", wantErr: "n/t"},
		{in: "", wantErr: "n/t"},
	}
	for _, tt := range tests {
		got, err := ParseDataSubset(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "subset") {
				t.Errorf("%q: got %+v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q: got %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func checkIDs(n int) ([]ID, []int64) {
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]ID, n)
	sizes := make([]int64, n)
	for i := range ids {
		for j := range ids[i] {
			ids[i][j] = byte(rng.Uint32())
		}
		sizes[i] = 100
	}
	slices.SortFunc(ids, checkCompareIDs)
	return ids, sizes
}

// The n/t form is deterministic: pack p is in bucket n exactly when
// p[0] mod t == n-1, so the t buckets partition the packs.
func TestCheckDataSubsetBuckets(t *testing.T) {
	ids, sizes := checkIDs(1000)
	for _, buckets := range []int{1, 2, 3, 7, 256} {
		seen := map[ID]int{}
		for bucket := 1; bucket <= buckets; bucket++ {
			got := DataSubset{Bucket: bucket, Buckets: buckets}.selectPacks(ids, sizes, nil)
			var want []ID
			for _, p := range ids {
				if int(p[0])%buckets == bucket-1 {
					want = append(want, p)
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%d/%d: %d packs, want %d", bucket, buckets, len(got), len(want))
			}
			for _, p := range got {
				seen[p]++
			}
		}
		if len(seen) != len(ids) {
			t.Errorf("t=%d: buckets cover %d of %d packs", buckets, len(seen), len(ids))
		}
	}
}

func TestCheckDataSubsetRandom(t *testing.T) {
	ids, sizes := checkIDs(200)
	pick := func(s DataSubset, seed uint64) []ID {
		return s.selectPacks(ids, sizes, rand.New(rand.NewPCG(seed, 0)))
	}
	tests := []struct {
		subset DataSubset
		want   int
	}{
		{DataSubset{Percent: 10}, 20},
		{DataSubset{Percent: 0.1}, 1}, // floor is 0: at least one
		{DataSubset{Percent: 12.75}, 25},
		{DataSubset{Percent: 100}, 200},
		{DataSubset{Bytes: 5000}, 50},     // 25% of 20000 bytes
		{DataSubset{Bytes: 1 << 30}, 200}, // capped at 100%
		{DataSubset{Bytes: 1}, 1},
		{DataSubset{}, 200},
	}
	for _, tt := range tests {
		got := pick(tt.subset, 1)
		if len(got) != tt.want {
			t.Errorf("%+v: %d packs, want %d", tt.subset, len(got), tt.want)
		}
		seen := map[ID]bool{}
		for _, p := range got {
			if seen[p] || !slices.Contains(ids, p) {
				t.Fatalf("%+v: duplicate or unknown pack %v", tt.subset, p)
			}
			seen[p] = true
		}
		if again := pick(tt.subset, 1); !slices.Equal(got, again) {
			t.Errorf("%+v: same seed chose differently", tt.subset)
		}
	}
	if a, b := pick(DataSubset{Percent: 10}, 1), pick(DataSubset{Percent: 10}, 2); slices.Equal(a, b) {
		t.Error("different seeds chose the same packs")
	}
	if got := (DataSubset{Percent: 50}).selectPacks(nil, nil, rand.New(rand.NewPCG(1, 1))); len(got) != 0 {
		t.Errorf("no packs: got %v", got)
	}
}

func TestCheckReadDataSubset(t *testing.T) {
	r, _ := newCheckRepo(t, 2, true)
	idx, _ := r.index(t.Context())
	n := idx.NumPacks()
	tests := []struct {
		subset string
		want   int
	}{
		{"1/1", n},
		{"50%", n / 2},
		{"1k", 1},
		{"1T", n},
	}
	for _, tt := range tests {
		res := checkMust(t, r, CheckOptions{ReadDataSubset: tt.subset, Rand: rand.NewPCG(3, 4), NoLock: true})
		checkAssertClean(t, res)
		if res.PacksRead != tt.want {
			t.Errorf("%s: read %d packs, want %d of %d", tt.subset, res.PacksRead, tt.want, n)
		}
	}
}
