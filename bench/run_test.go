package bench

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// measurement is one child process run.
type measurement struct {
	Wall   time.Duration
	RSSMiB float64
}

// runMeasured runs bin with args, stdin from the file in (or none), stdout
// to out (or discarded), and returns wall time and peak RSS. The child runs
// under /usr/bin/time, which reports its peak RSS: the rusage of a child
// started directly by this (large) test process would include the parent's
// memory, which Linux carries into a vfork'd child's maximum RSS.
func runMeasured(b *testing.B, env []string, in string, out io.Writer, bin string, args ...string) measurement {
	b.Helper()
	timeBin := testenv.Tool(b, "time")
	cmd := exec.Command(timeBin, append([]string{"-f", "kamal-backup-bench-maxrss-kib %M", bin}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		cmd.Stdin = f
	}
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout = out
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	wall := time.Since(start)
	var kib float64
	for _, line := range strings.Split(stderr.String(), "\n") {
		if v, ok := strings.CutPrefix(line, "kamal-backup-bench-maxrss-kib "); ok {
			fmt.Sscan(v, &kib)
		}
	}
	if kib == 0 {
		b.Fatalf("no peak RSS reported by %s:\n%s", timeBin, stderr.String())
	}
	return measurement{Wall: wall, RSSMiB: kib / 1024}
}

// dirSize is the total size of the files below dir.
func dirSize(b *testing.B, dir string) int64 {
	b.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// ourBinary builds cmd/kamal-backup once per benchmark binary.
func ourBinary(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	bin := filepath.Join(dir, "kamal-backup")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/kamal-backup/kamal-backup/cmd/kamal-backup")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build kamal-backup: %v\n%s", err, out)
	}
	return bin
}

// pair is one comparison row.
type pair struct {
	Name        string
	Bytes       int64
	Ours, Restc measurement
	OurSize     int64
	ResticSize  int64
}

// report prints a row and records ratios as benchmark metrics.
func (p pair) report(b *testing.B) {
	b.Helper()
	mbps := func(m measurement) float64 { return float64(p.Bytes) / 1e6 / m.Wall.Seconds() }
	speedup := p.Restc.Wall.Seconds() / p.Ours.Wall.Seconds()
	line := fmt.Sprintf("%-34s ours %6.2fs %7.1f MB/s %6.0f MiB RSS | restic %6.2fs %7.1f MB/s %6.0f MiB RSS | speed x%.2f",
		p.Name, p.Ours.Wall.Seconds(), mbps(p.Ours), p.Ours.RSSMiB, p.Restc.Wall.Seconds(), mbps(p.Restc), p.Restc.RSSMiB, speedup)
	if p.ResticSize > 0 {
		line += fmt.Sprintf(" | repo %.1f MiB vs %.1f MiB (%+.2f%%)", float64(p.OurSize)/(1<<20), float64(p.ResticSize)/(1<<20),
			100*(float64(p.OurSize)/float64(p.ResticSize)-1))
		b.ReportMetric(float64(p.OurSize)/float64(p.ResticSize), "size-ratio")
	}
	fmt.Println(line)
	b.ReportMetric(speedup, "speed-x")
	b.ReportMetric(p.Ours.RSSMiB/p.Restc.RSSMiB, "rss-ratio")
	b.ReportMetric(p.Ours.Wall.Seconds(), "ours-s")
	b.ReportMetric(p.Restc.Wall.Seconds(), "restic-s")
}

// env returns the environment both tools use for a repository.
func env(repoDir string) []string {
	return []string{"RESTIC_REPOSITORY=" + repoDir, "RESTIC_PASSWORD=bench-password", "RESTIC_CACHE_DIR=" + repoDir + ".cache"}
}

// tools returns our binary and the pinned restic.
func tools(b *testing.B) (ours, restic string) {
	b.Helper()
	return ourBinary(b), testenv.Restic(b)
}
