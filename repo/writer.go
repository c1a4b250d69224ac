package repo

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/crypto"
	"github.com/kamal-backup/kamal-backup/repo/internal/id"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
	"github.com/kamal-backup/kamal-backup/repo/internal/pack"
	"github.com/klauspost/compress/zstd"
)

// DefaultPackSize is restic's default target pack size.
const DefaultPackSize = 16 << 20

// WriteStats counts what a Writer added to the repository.
type WriteStats struct {
	DataBlobs, TreeBlobs int
	// DataAdded is the plaintext size of new blobs; DataAddedPacked what
	// they take in packs.
	DataAdded, DataAddedPacked uint64
	Packs                      int
}

// Writer adds blobs to a repository: it deduplicates against the index and
// against itself, compresses (v2), encrypts, assembles packs in memory and
// uploads them in the background. Packs are written first, then (by
// Flush) the index files describing them; nothing references the new
// blobs until the caller saves a snapshot after Flush. A Writer is safe
// for concurrent use by many goroutines.
type Writer struct {
	r        *Repository
	idx      *index.Index
	packSize int
	compress bool
	enc      *zstd.Encoder

	mu      sync.Mutex
	known   map[pack.Handle]struct{}
	packers [3]*pack.Packer // by blob type (1 data, 2 tree)
	unindex []index.Pack    // uploaded, not yet in an index file
	stats   WriteStats

	uploads   chan finishedPack
	tokens    chan struct{} // one per data pack held in memory (filling or uploading)
	upWG      sync.WaitGroup
	upErr     error
	packBufs  bufList     // free data pack buffers
	scratch   bufList     // free compression and encryption buffers
	chunkBufs chan []byte // chunk buffers shared by all streams (nil: not yet allocated)
	ctx       context.Context
	cancel    context.CancelCauseFunc
}

// WriterOptions tune a Writer; the zero value means defaults.
type WriterOptions struct {
	// PackSize is the target pack size; 0 means DefaultPackSize.
	PackSize int
	// NoCompression stores data blobs uncompressed even in v2 (tree blobs
	// are always compressed in v2).
	NoCompression bool
	// Level is the zstd level for data blobs; 0 means zstd.SpeedDefault,
	// restic's "auto".
	Level zstd.EncoderLevel
}

// NewWriter starts a Writer. Call Flush to finish it, or Abort.
func (r *Repository) NewWriter(ctx context.Context, opts WriterOptions) (*Writer, error) {
	idx, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	if opts.PackSize == 0 {
		opts.PackSize = DefaultPackSize
	}
	enc := pack.Encoder()
	if opts.Level != 0 && opts.Level != zstd.SpeedDefault {
		if enc, err = pack.NewEncoder(opts.Level); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	w := &Writer{r: r, idx: idx, packSize: opts.PackSize, compress: r.cfg.Version >= 2 && !opts.NoCompression,
		enc: enc, known: map[pack.Handle]struct{}{}, ctx: ctx, cancel: cancel}
	conns := int(max(r.be.Connections(), 1))
	// Unbuffered: a full pack waits in its packer until an uploader is
	// free, so at most Connections+2 packs are held in memory.
	w.uploads = make(chan finishedPack)
	w.tokens = make(chan struct{}, conns+1)
	w.packBufs = newBufList(conns + 1)
	w.scratch = newBufList(2 * max(runtime.GOMAXPROCS(0), 2))
	w.chunkBufs = make(chan []byte, max(runtime.GOMAXPROCS(0), 2)+1)
	for range cap(w.chunkBufs) {
		w.chunkBufs <- nil // allocated on first use
	}
	for range conns {
		w.upWG.Add(1)
		go w.uploader()
	}
	return w, nil
}

// Has reports whether the repository or this writer already holds h.
func (w *Writer) Has(h BlobHandle) bool {
	if w.idx.Has(h) {
		return true
	}
	w.mu.Lock()
	_, ok := w.known[h]
	w.mu.Unlock()
	return ok
}

// SaveBlob stores plaintext as a blob of type t unless it already exists,
// and returns its ID and whether it was new. plaintext is not retained.
func (w *Writer) SaveBlob(ctx context.Context, t BlobType, plaintext []byte) (ID, bool, error) {
	bid := id.Hash(plaintext)
	h := pack.Handle{ID: bid, Type: t}
	if w.idx.Has(h) {
		return bid, false, nil
	}
	w.mu.Lock()
	if _, ok := w.known[h]; ok {
		w.mu.Unlock()
		return bid, false, nil
	}
	w.known[h] = struct{}{}
	w.mu.Unlock()
	if err := w.add(ctx, h, plaintext); err != nil {
		return bid, false, err
	}
	return bid, true, nil
}

func (w *Writer) add(ctx context.Context, h pack.Handle, plaintext []byte) error {
	payload, ulen := plaintext, uint32(0)
	compress := w.compress || (h.Type == TreeBlob && w.r.cfg.Version >= 2)
	if compress && h.Type == DataBlob && !compressible(w.enc, plaintext) {
		compress = false
	}
	if compress && len(plaintext) > 0 {
		frame := w.enc.EncodeAll(plaintext, w.scratch.get(w.enc.MaxEncodedSize(len(plaintext))))
		defer w.scratch.put(frame)
		// Incompressible data blobs are stored plain (type 0 entries are
		// valid in v2), which is smaller and faster to read back.
		if h.Type == TreeBlob || len(frame) < len(plaintext) {
			payload, ulen = frame, uint32(len(plaintext))
		}
	}
	stored := w.r.key.Seal(w.scratch.get(len(payload)+crypto.Extension), payload)
	defer w.scratch.put(stored)
	return w.addEncoded(ctx, h, stored, ulen, len(plaintext))
}

// addEncoded appends a blob's stored bytes (encrypted, and compressed
// when ulen is set) to the packer of its type and hands a full pack to the
// uploaders. stored is copied.
func (w *Writer) addEncoded(ctx context.Context, h pack.Handle, stored []byte, ulen uint32, plainLen int) error {
	token := false
	for {
		w.mu.Lock()
		p := w.packers[h.Type]
		needNew := p == nil || (p.Count() > 0 && p.Size()+len(stored) > w.packSize+w.packSize/8)
		if !needNew || h.Type != DataBlob || token {
			break
		}
		// A new data pack needs a token: at most Connections+1 data packs
		// are held in memory (filling or uploading). Wait without the lock.
		w.mu.Unlock()
		select {
		case w.tokens <- struct{}{}:
			token = true
		case <-ctx.Done():
			return ctx.Err()
		case <-w.ctx.Done():
			return context.Cause(w.ctx)
		}
	}
	p := w.packers[h.Type]
	var full *pack.Packer
	if p != nil && p.Count() > 0 && p.Size()+len(stored) > w.packSize+w.packSize/8 {
		// The blob would overflow the pack's buffer: close the pack first.
		full, p = p, nil
	}
	if p == nil {
		p = pack.NewPacker(w.r.key, w.getBuf(h.Type))
		w.packers[h.Type] = p
		token = false // the new pack holds it until its upload ends
	}
	if token {
		<-w.tokens // another goroutine created the pack meanwhile
	}
	if err := p.Add(h.Type, h.ID, stored, ulen); err != nil {
		w.mu.Unlock()
		return err
	}
	if h.Type == DataBlob {
		w.stats.DataBlobs++
	} else {
		w.stats.TreeBlobs++
	}
	w.stats.DataAdded += uint64(plainLen)
	w.stats.DataAddedPacked += uint64(len(stored))
	var done *pack.Packer
	if p.Size() >= w.packSize || p.Full() {
		done = p
		w.packers[h.Type] = nil
	}
	w.mu.Unlock()
	for _, fp := range []*pack.Packer{full, done} {
		if fp == nil {
			continue
		}
		if err := w.finish(ctx, fp); err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) getBuf(t BlobType) []byte {
	if t == TreeBlob {
		// Tree packs are usually small: let them grow as needed.
		return make([]byte, 0, 256<<10)
	}
	return w.packBufs.get(w.packSize + w.packSize/8)
}

// finish finalizes a packer and hands it to the uploaders.
func (w *Writer) finish(ctx context.Context, p *pack.Packer) error {
	data, blobs, err := p.Finalize()
	if err != nil {
		return err
	}
	select {
	case w.uploads <- finishedPack{data, blobs}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-w.ctx.Done():
		return context.Cause(w.ctx)
	}
}

func (w *Writer) uploader() {
	defer w.upWG.Done()
	for fp := range w.uploads {
		if w.ctx.Err() == nil {
			if err := w.upload(fp.data, fp.blobs); err != nil {
				w.mu.Lock()
				if w.upErr == nil {
					w.upErr = err
				}
				w.mu.Unlock()
				w.cancel(err)
			}
		}
		if len(fp.blobs) > 0 && fp.blobs[0].Type == DataBlob {
			<-w.tokens
		}
		if cap(fp.data) >= w.packSize {
			w.packBufs.put(fp.data)
		}
	}
}

// finishedPack is a finalized pack waiting for upload.
type finishedPack struct {
	data  []byte
	blobs []pack.Blob
}

func (w *Writer) upload(data []byte, blobs []pack.Blob) error {
	pid := id.Hash(data)
	h := backend.Handle{Type: backend.PackFile, Name: pid.String()}
	if err := w.r.be.Save(w.ctx, h, backend.NewByteReader(data)); err != nil {
		return fmt.Errorf("save %s: %w", backend.Path(h), err)
	}
	if err := w.idx.Add(pid, blobs); err != nil {
		return fmt.Errorf("index new pack %s: %w", pid.Str(), err)
	}
	w.mu.Lock()
	w.unindex = append(w.unindex, index.Pack{ID: pid, Blobs: blobs})
	w.stats.Packs++
	var batch []index.Pack
	if countBlobs(w.unindex) >= index.MaxBlobsPerFile {
		batch, w.unindex = w.unindex, nil
	}
	w.mu.Unlock()
	if batch != nil {
		return w.r.saveIndex(w.ctx, batch)
	}
	return nil
}

func countBlobs(ps []index.Pack) int {
	n := 0
	for _, p := range ps {
		n += len(p.Blobs)
	}
	return n
}

// Flush writes the partly filled packs, waits for every upload and writes
// index files for all packs uploaded. After Flush returns nil, every blob
// saved is durable and indexed. The Writer cannot be used afterwards.
func (w *Writer) Flush(ctx context.Context) (WriteStats, error) {
	w.mu.Lock()
	ps := w.packers
	w.packers = [3]*pack.Packer{}
	w.mu.Unlock()
	var errs []error
	for _, p := range ps {
		if p != nil && p.Count() > 0 {
			errs = append(errs, w.finish(ctx, p))
		}
	}
	close(w.uploads)
	w.upWG.Wait()
	w.mu.Lock()
	errs = append(errs, w.upErr)
	rest := w.unindex
	w.unindex = nil
	stats := w.stats
	w.mu.Unlock()
	if err := errors.Join(errs...); err != nil {
		w.cancel(err)
		return stats, err
	}
	defer w.cancel(nil)
	if len(rest) > 0 {
		if err := w.r.saveIndex(ctx, rest); err != nil {
			return stats, err
		}
	}
	return stats, nil
}

// Abort stops the writer without writing index files; packs already
// uploaded stay behind unreferenced (prune removes them).
func (w *Writer) Abort(cause error) {
	if cause == nil {
		cause = errors.New("aborted")
	}
	w.cancel(cause)
	w.mu.Lock()
	w.packers = [3]*pack.Packer{}
	w.mu.Unlock()
	defer func() { recover() }() // uploads may already be closed by Flush
	close(w.uploads)
	w.upWG.Wait()
}

// saveIndex writes index files (at most index.MaxBlobsPerFile blobs each)
// for packs.
func (r *Repository) saveIndex(ctx context.Context, packs []index.Pack) error {
	for _, batch := range index.Split(packs, index.MaxBlobsPerFile) {
		js, err := index.Encode(batch)
		if err != nil {
			return err
		}
		if _, err := r.saveEncrypted(ctx, backend.IndexFile, js); err != nil {
			return err
		}
	}
	return nil
}
