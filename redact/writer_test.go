package redact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestWriterSplitAcrossWrites(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-value")
	in := "line one\nthe s3cr3t-value is here\npassword=hunter2 tail\nlast s3cr3t-value"
	for split := range len(in) + 1 {
		var out bytes.Buffer
		w := r.Writer(&out)
		writeAll(t, w, in[:split], in[split:])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		want := "line one\nthe [REDACTED] is here\npassword=[REDACTED] tail\nlast [REDACTED]"
		if out.String() != want {
			t.Fatalf("split at %d: got %q", split, out.String())
		}
	}
}

func TestWriterStreamsCompleteLines(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t-value")
	var out bytes.Buffer
	w := r.Writer(&out)
	writeAll(t, w, "first s3cr3t-value\nsecond s3cr")
	if out.String() != "first [REDACTED]\n" {
		t.Fatalf("after first write: %q", out.String())
	}
	writeAll(t, w, "3t-value")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "first [REDACTED]\nsecond [REDACTED]" {
		t.Fatalf("after flush: %q", out.String())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("x")); !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("Write after Close = %v", err)
	}
}

func TestWriterMultilineSecret(t *testing.T) {
	const key = "-----BEGIN KEY-----\nMIIabc\n-----END KEY-----"
	var r Redactor
	r.Add(key)
	in := "before\n" + key + "\nafter\n"
	for split := range len(in) + 1 {
		var out bytes.Buffer
		w := r.Writer(&out)
		writeAll(t, w, in[:split], in[split:])
		w.Close()
		if out.String() != "before\n[REDACTED]\nafter\n" {
			t.Fatalf("split at %d: got %q", split, out.String())
		}
	}
}

func TestWriterLongLine(t *testing.T) {
	const secret = "long-line-secret"
	var r Redactor
	r.Add(secret)
	var out bytes.Buffer
	w := r.Writer(&out)
	chunk := strings.Repeat("x", 1000) + secret
	for range 300 { // 300 KB without a newline, written in odd pieces
		writeAll(t, w, chunk[:7], chunk[7:])
	}
	if out.Len() == 0 {
		t.Error("nothing written before Close: the line was held whole")
	}
	if len(w.buf) > 2*maxLine {
		t.Errorf("buffer holds %d bytes", len(w.buf))
	}
	w.Close()
	got := out.String()
	if strings.Contains(got, secret) || strings.Count(got, Redacted) != 300 {
		t.Errorf("long line: %d redactions, leaked=%v", strings.Count(got, Redacted), strings.Contains(got, secret))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterError(t *testing.T) {
	w := (*Redactor)(nil).Writer(failWriter{})
	if _, err := w.Write([]byte("a\n")); err == nil {
		t.Fatal("Write succeeded")
	}
	if _, err := w.Write([]byte("b")); err == nil || w.Close() == nil {
		t.Fatal("error is not sticky")
	}
}

func writeAll(t testing.TB, w io.Writer, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if n, err := w.Write([]byte(p)); err != nil || n != len(p) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
}
