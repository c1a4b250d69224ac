package progress

import (
	"io"
	"sync"

	"github.com/schollz/progressbar/v3"
)

// Bar is a Reporter drawing a progress bar on a terminal: bytes, rate,
// elapsed time and, when the total is known, percentage and estimated
// time left. An operation whose byte total is unknown but whose item
// total is known (a check's packs) counts items; one with neither shows
// a spinner with the bytes and the rate. Each operation's bar ends with
// a newline. It is safe for concurrent use.
type Bar struct {
	mu  sync.Mutex
	w   io.Writer
	bar *progressbar.ProgressBar // of the current operation
	max int64                    // its maximum, -1 for a spinner
}

var _ Reporter = (*Bar)(nil)

// NewBar returns a Bar drawing on w, which should be a terminal.
func NewBar(w io.Writer) *Bar { return &Bar{w: w} }

// Report draws st.
func (b *Bar) Report(st Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.bar == nil {
		b.bar, b.max = newBar(b.w, st)
	}
	n := st.Bytes
	if st.TotalBytes <= 0 && st.TotalItems > 0 {
		n = st.Items
	}
	if b.max >= 0 {
		n = min(n, b.max)
	}
	_ = b.bar.Set64(n)
	if !st.Final {
		return
	}
	switch {
	case b.max < 0:
		_ = b.bar.Finish() // stop the spinner, keep the count
	case n < b.max:
		_ = b.bar.Exit() // leave it where it stopped
	}
	_, _ = io.WriteString(b.w, "\n")
	b.bar = nil
}

// newBar returns the bar for the operation of st and its maximum.
func newBar(w io.Writer, st Status) (*progressbar.ProgressBar, int64) {
	desc := st.Action
	if st.Name != "" {
		desc += " " + st.Name
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionSetSpinnerChangeInterval(0), // the Meter's reports redraw it
	}
	switch {
	case st.TotalBytes > 0:
		return progressbar.NewOptions64(st.TotalBytes, append(opts, progressbar.OptionShowBytes(true))...), st.TotalBytes
	case st.TotalItems > 0:
		return progressbar.NewOptions64(st.TotalItems, opts...), st.TotalItems
	}
	return progressbar.NewOptions64(-1, append(opts, progressbar.OptionShowBytes(true))...), -1
}
