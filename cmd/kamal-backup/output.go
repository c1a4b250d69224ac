package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// newLogger returns the program's logger on w: text on a terminal, JSON
// lines otherwise (the accessory's logs), Info level, Warn with --quiet.
func newLogger(w io.Writer, terminal, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	if quiet {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	if terminal {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeJSON writes v as one JSON line, as restic's --json output does.
func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

// printJSON writes v as one JSON line to stdout.
func (g *Globals) printJSON(v any) error {
	return writeJSON(g.stdout, v)
}

// verbosef prints a human message to stdout unless --quiet or --json.
func (g *Globals) verbosef(format string, args ...any) {
	if g.Quiet || g.JSON {
		return
	}
	fmt.Fprintf(g.stdout, format, args...)
	if f, ok := g.stdout.(interface{ Flush() error }); ok {
		f.Flush() // show progress messages at once; errors surface at the end
	}
}
