package interop

import (
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Paths inside the fixture directory, slash-separated.
const (
	bigFile     = "data/big.bin"    // 21 MiB of seeded random bytes: many chunks
	sparseFile  = "data/sparse.img" // 64 MiB, a few bytes of data in the middle
	helloFile   = "files/hello.txt" // hard-linked as hardLinkFile
	hardLink    = "hard/hello-link"
	emptyFile   = "empty.txt"
	emptyDir    = "empty-dir"
	fifoFile    = "fifo"
	relLink     = "links/rel"
	absLink     = "links/abs"
	unicodeFile = "names/unicodé-日本語-😀.txt"
	hostTarget  = "files" // backed up alone with --host second-host
)

// stdinName is the --stdin-filename of the database snapshot.
const stdinName = "databases/app/app/postgres.pgdump"

// fixtureModes are files with a specific mode, by path.
var fixtureModes = map[string]os.FileMode{
	"files/private.txt": 0o600,
	"files/script.sh":   0o755,
	"files/suid-bin":    os.ModeSetuid | 0o755,
}

// awkwardNames are file names below names/ that need quoting or escaping
// somewhere: in Go's strconv.Quote, in JSON or in HTML-safe JSON.
var awkwardNames = []string{
	"unicodé-日本語-😀.txt",
	"tab\there.txt",
	`quo"te.txt`,
	`back\slash.txt`,
	"a&b<c>.txt",
	"all\t\"\\<&>.txt",
}

// fixture is the directory every restic repository backs up.
type fixture struct {
	Dir      string              // absolute path of the backed-up directory
	SQLFile  string              // file holding the --stdin content
	SQLSum   [32]byte            // SHA-256 of the --stdin content
	Sums     map[string][32]byte // SHA-256 of every regular file, by path
	Hostname string              // os.Hostname, restic's default --host
}

var fixtureOnce = sync.OnceValues(func() (*fixture, error) {
	return buildFixture(filepath.Join(testRoot, "src"))
})

// buildFixture writes the fixture below dir. It returns errors rather than
// failing a test because its result is shared by all tests.
func buildFixture(dir string) (*fixture, error) {
	host, err := os.Hostname()
	if err != nil {
		return nil, err
	}
	f := &fixture{Dir: dir, SQLFile: filepath.Join(testRoot, "dump.sql"), Sums: map[string][32]byte{}, Hostname: host}
	w := &fixtureWriter{dir: dir}
	for _, d := range []string{"data", "files", "hard", "links", "names", emptyDir} {
		w.mkdir(d)
	}
	w.file(emptyFile, nil, 0o644)
	w.file(helloFile, []byte("hello, world\n"), 0o644)
	w.link(helloFile, hardLink)
	for name, mode := range fixtureModes {
		w.file(name, []byte("mode "+mode.String()+"\n"), mode)
	}
	for i, name := range awkwardNames {
		w.file("names/"+name, []byte(fmt.Sprintf("awkward name %d: %s\n", i, name)), 0o644)
	}
	w.symlink("../files/hello.txt", relLink)
	w.symlink(filepath.Join(dir, helloFile), absLink)
	w.symlink("/nonexistent/kamal-backup-target", "links/dangling-abs")
	w.random(bigFile, 21<<20, 42)
	w.sparse(sparseFile, 64<<20, 32<<20, []byte("a little data in the middle of a sparse file\n"))
	w.fifo(fifoFile)
	w.times()
	if w.err != nil {
		return nil, w.err
	}
	if f.SQLSum, err = writeSQL(f.SQLFile, 3<<20); err != nil {
		return nil, err
	}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		f.Sums[filepath.ToSlash(rel)], err = sumFile(p)
		return err
	})
	return f, err
}

// fixtureWriter creates fixture entries, remembering the first error.
type fixtureWriter struct {
	dir string
	err error
}

func (w *fixtureWriter) path(rel string) string { return filepath.Join(w.dir, filepath.FromSlash(rel)) }

func (w *fixtureWriter) do(err error) {
	if w.err == nil {
		w.err = err
	}
}

func (w *fixtureWriter) mkdir(rel string) { w.do(os.MkdirAll(w.path(rel), 0o755)) }

// file writes data with exactly mode (Chmod, so the umask does not matter).
func (w *fixtureWriter) file(rel string, data []byte, mode os.FileMode) {
	w.do(os.WriteFile(w.path(rel), data, 0o600))
	w.do(os.Chmod(w.path(rel), mode))
}

func (w *fixtureWriter) link(oldRel, newRel string) { w.do(os.Link(w.path(oldRel), w.path(newRel))) }

func (w *fixtureWriter) symlink(target, rel string) { w.do(os.Symlink(target, w.path(rel))) }

func (w *fixtureWriter) fifo(rel string) {
	w.do(syscall.Mkfifo(w.path(rel), 0o644))
	w.do(os.Chmod(w.path(rel), 0o644))
}

// random writes size pseudo-random bytes from a seeded generator.
func (w *fixtureWriter) random(rel string, size int64, seed byte) {
	f, err := os.Create(w.path(rel))
	if err != nil {
		w.do(err)
		return
	}
	_, err = io.CopyN(f, rand.NewChaCha8([32]byte{seed}), size)
	w.do(err)
	w.do(f.Close())
}

// sparse creates a file of size bytes holding data at offset and holes
// elsewhere.
func (w *fixtureWriter) sparse(rel string, size, offset int64, data []byte) {
	f, err := os.Create(w.path(rel))
	if err != nil {
		w.do(err)
		return
	}
	w.do(f.Truncate(size))
	_, err = f.WriteAt(data, offset)
	w.do(err)
	w.do(f.Close())
}

// times gives every file and directory (not symlinks) a distinct mtime
// with nanoseconds, children before parents so that the parents keep
// theirs.
func (w *fixtureWriter) times() {
	if w.err != nil {
		return
	}
	var paths []string
	w.do(filepath.WalkDir(w.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeSymlink == 0 {
			paths = append(paths, p)
		}
		return err
	}))
	base := time.Date(2021, 3, 4, 5, 6, 7, 123456789, time.UTC)
	for i := len(paths) - 1; i >= 0; i-- {
		mt := base.Add(time.Duration(i)*time.Hour + time.Duration(i)*time.Microsecond)
		w.do(os.Chtimes(paths[i], mt, mt))
	}
}

// writeSQL writes about size bytes of SQL-like text and returns its hash.
func writeSQL(name string, size int) ([32]byte, error) {
	rng := rand.New(rand.NewPCG(7, 7))
	var b strings.Builder
	b.WriteString("-- PostgreSQL database dump\nCREATE TABLE users (id bigint, name text, email text, score int);\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "INSERT INTO users VALUES (%d, 'user-%x', 'u%d@example.com', %d);\n", i, rng.Uint64(), i, rng.IntN(1e6))
	}
	if err := os.WriteFile(name, []byte(b.String()), 0o600); err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256([]byte(b.String())), nil
}

func sumFile(name string) ([32]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	return [32]byte(h.Sum(nil)), nil
}
