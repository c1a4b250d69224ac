package main

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/kamal-backup/kamal-backup/internal/progress"
	"github.com/kamal-backup/kamal-backup/repo"
)

// jsonProgressInterval is the least time between two JSON status lines
// of one operation (the final line is always written).
const jsonProgressInterval = time.Second

// logProgressInterval is that least time when standard error is not a
// terminal and JSON lines were not asked for (--progress=json, --json).
const logProgressInterval = 10 * time.Second

var _ repo.Progress = (*progress.Meter)(nil)

// newMeter returns the meter of one operation (see progress.Status for
// action and name), reporting as --progress asks. stderr is the
// command's standard error as kong hands it over (redacted); JSON lines
// go there.
func (g *Globals) newMeter(stderr io.Writer, action, name string) *progress.Meter {
	return progress.NewMeter(g.progressReporter(stderr), action, name, progress.MeterOptions{})
}

// progressReporter returns the reporter --progress chooses, the same
// for every operation of the command so that their bars follow each
// other.
func (g *Globals) progressReporter(stderr io.Writer) progress.Reporter {
	if g.reporter != nil {
		return g.reporter
	}
	switch {
	case g.Progress == "json":
		g.reporter = progress.NewJSON(stderr, jsonProgressInterval)
	case g.Progress == "none" || g.Quiet:
		g.reporter = progress.Discard
	case g.JSON || !g.stderrIsTerminal():
		// Not a terminal (a log, "kamal accessory exec", a pipe), or
		// --json: status lines, less often than asked-for ones so that
		// logs stay readable.
		interval := logProgressInterval
		if g.JSON {
			interval = jsonProgressInterval
		}
		g.reporter = progress.NewJSON(stderr, interval)
	default:
		// The bar rewrites its line with "\r", which the line-buffered
		// redactor on stderr would hold back: it is drawn on the
		// terminal directly. It shows only counts and names.
		g.reporter = progress.NewBar(os.Stderr)
	}
	return g.reporter
}

// stderrIsTerminal reports whether standard error is a terminal one can
// draw on: the stream run was given is a character device (g.terminal)
// and the process's standard error answers terminal requests (not
// /dev/null).
func (g *Globals) stderrIsTerminal() bool {
	return g.terminal && term.IsTerminal(int(os.Stderr.Fd()))
}
