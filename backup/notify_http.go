package backup

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Defaults of HTTPNotifierOptions.
const (
	defaultNotifyTimeout  = 10 * time.Second
	defaultNotifyAttempts = 3
	defaultNotifyBackoff  = time.Second
	notifyQueueSize       = 64
)

// HTTPNotifierOptions tune NewHTTPNotifier. The zero value uses the
// defaults.
type HTTPNotifierOptions struct {
	// Logger receives delivery failures as warnings; nil discards them.
	Logger *slog.Logger
	// Client sends the requests; nil means a client with a 10 s timeout.
	Client *http.Client
	// Attempts is how many times a request is tried before it is given
	// up; 0 means 3. Only network errors and 5xx, 408 and 429 answers
	// are retried.
	Attempts int
	// Backoff is the wait before the second attempt, doubled before each
	// further one; 0 means 1 s.
	Backoff time.Duration
}

// HTTPNotifier delivers events to the webhook and healthchecks URLs of a
// Config's notify section, in order, from a goroutine of its own, so
// that a slow or failing endpoint never holds up the schedule. Failures
// are logged with the URL reduced to its host (NotifyURLDisplay) and the
// error redacted. Its methods are safe for concurrent use.
type HTTPNotifier struct {
	cfg  *Config
	opts HTTPNotifierOptions

	mu     sync.Mutex
	closed bool
	queue  chan Event
	done   chan struct{}
	ctx    context.Context // cancelled when Close gives up
	cancel context.CancelFunc
}

var _ Notifier = (*HTTPNotifier)(nil)

// NewHTTPNotifier returns a notifier for cfg.Notify and starts its
// delivery goroutine; Close stops it.
func NewHTTPNotifier(cfg *Config, opts HTTPNotifierOptions) *HTTPNotifier {
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: defaultNotifyTimeout}
	}
	if opts.Attempts <= 0 {
		opts.Attempts = defaultNotifyAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = defaultNotifyBackoff
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := &HTTPNotifier{cfg: cfg, opts: opts, queue: make(chan Event, notifyQueueSize),
		done: make(chan struct{}), ctx: ctx, cancel: cancel}
	go n.run()
	return n
}

// Notify queues ev for delivery. It never blocks: when the queue is full
// (64 events) or the notifier is closed, ev is dropped with a warning.
func (n *HTTPNotifier) Notify(ev Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		n.log().Warn("notification dropped: the notifier is closed", "event", ev.Kind)
		return
	}
	select {
	case n.queue <- ev:
	default:
		n.log().Warn("notification dropped: too many queued", "event", ev.Kind)
	}
}

// Close stops accepting events and waits until the queued ones are
// delivered (or given up) or ctx is done; then it cancels the delivery
// in flight and returns ctx's error.
func (n *HTTPNotifier) Close(ctx context.Context) error {
	n.mu.Lock()
	if !n.closed {
		n.closed = true
		close(n.queue)
	}
	n.mu.Unlock()
	select {
	case <-n.done:
		n.cancel()
		return nil
	case <-ctx.Done():
		n.cancel()
		<-n.done
		return ctx.Err()
	}
}

// run delivers the queued events until the queue is closed.
func (n *HTTPNotifier) run() {
	defer close(n.done)
	for ev := range n.queue {
		n.deliver(n.ctx, ev)
	}
}

// log returns the notifier's logger, or one discarding everything.
func (n *HTTPNotifier) log() *slog.Logger { return orDiscard(n.opts.Logger) }
