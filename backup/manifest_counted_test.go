package backup

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestCountDump: after a dump read to its end Close waits for the counts;
// a dump closed early cancels the counting; finish runs once, last.
func TestCountDump(t *testing.T) {
	for _, readAll := range []bool{true, false} {
		var finished int
		started := make(chan struct{})
		d := CountDump(t.Context(), io.NopCloser(strings.NewReader("dump")), func(ctx context.Context) (*RowCounts, error) {
			close(started)
			if !readAll {
				<-ctx.Done() // only a cancel ends this count
				return nil, context.Cause(ctx)
			}
			return &RowCounts{Tables: []TableRows{{Name: "t", Rows: 3}}}, nil
		}, func() { finished++ })
		<-started
		if readAll {
			if _, err := io.ReadAll(d); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		_ = d.Close()
		counts, err := d.RowCounts(t.Context())
		switch {
		case finished != 1:
			t.Errorf("readAll %v: finish ran %d times", readAll, finished)
		case readAll && (err != nil || counts == nil || counts.Tables[0].Rows != 3):
			t.Errorf("counts %+v, %v", counts, err)
		case !readAll && !errors.Is(err, context.Canceled):
			t.Errorf("early close: counts %+v, %v; want the count cancelled", counts, err)
		}
	}
	why := errors.New("no exported snapshot")
	d := UncountedDump(io.NopCloser(strings.NewReader("dump")), why)
	if _, err := d.RowCounts(t.Context()); !errors.Is(err, why) || d.Close() != nil {
		t.Errorf("UncountedDump: %v", err)
	}
}
