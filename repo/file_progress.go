package repo

import "io"

// Progress is told how an operation on file content advances, in bytes:
// a backup (SnapshotOptions.Progress counts the bytes read from the
// source) or any stream read through ProgressReader (a dump). Start is
// called once before any Add, and Done once at the end, also after an
// error. Add may be called from several goroutines at once. Every method
// must return quickly: count, and draw elsewhere.
type Progress interface {
	// Start announces the total number of bytes, or -1 when it is not
	// known in advance (a stream, a directory tree).
	Start(total int64)
	// Add reports that n more bytes are done.
	Add(n int64)
	// Done reports that the operation ended.
	Done()
}

// ProgressReader returns a reader that reports to p the number of bytes
// read through it from rd. It calls neither Start nor Done. A nil p
// returns rd itself.
func ProgressReader(rd io.Reader, p Progress) io.Reader {
	if p == nil {
		return rd
	}
	return &progressReader{rd: rd, p: p}
}

type progressReader struct {
	rd io.Reader
	p  Progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.rd.Read(b)
	if n > 0 {
		pr.p.Add(int64(n))
	}
	return n, err
}
