package repo

// bufList is a bounded free list of byte buffers. Unlike sync.Pool it
// keeps its buffers across garbage collections, so large buffers are
// reused instead of reallocated, and it never holds more than its
// capacity.
type bufList chan []byte

func newBufList(n int) bufList { return make(bufList, n) }

// get returns an empty buffer with capacity of at least n, reusing a free
// one when it is large enough.
func (l bufList) get(n int) []byte {
	select {
	case b := <-l:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

// put returns b to the list, or drops it when the list is full.
func (l bufList) put(b []byte) {
	select {
	case l <- b[:0]:
	default:
	}
}
