package repo

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/backend/mem"
)

// lockClock is a fake wall clock.
type lockClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *lockClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// lockFaultyBackend fails Save while failSave is set.
type lockFaultyBackend struct {
	backend.Backend
	failSave atomic.Bool
}

var errInjected = errors.New("injected save failure")

func (b *lockFaultyBackend) Save(ctx context.Context, h backend.Handle, rd backend.RewindReader) error {
	if b.failSave.Load() {
		return errInjected
	}
	return b.Backend.Save(ctx, h, rd)
}

// lockFixture is a repository on a mem backend with a fake machine.
type lockFixture struct {
	r       *Repository
	be      *lockFaultyBackend
	clock   *lockClock
	refresh chan time.Time // ticks of the refresh loop
	check   chan time.Time // ticks of the deadline watcher
	mu      sync.Mutex
	slept   []time.Duration
	onSleep func(d time.Duration) // runs inside every fake sleep
}

func newLockFixture(t *testing.T) *lockFixture {
	t.Helper()
	f := &lockFixture{
		be:      &lockFaultyBackend{Backend: mem.New()},
		clock:   &lockClock{t: time.Date(2026, 11, 27, 13, 48, 37, 166810262, time.UTC)},
		refresh: make(chan time.Time),
		check:   make(chan time.Time),
	}
	r, err := Init(t.Context(), f.be, "secret", InitOptions{KDF: KDFParams{N: 1024, R: 8, P: 1}, Options: Options{Now: f.clock.Now}})
	if err != nil {
		t.Fatal(err)
	}
	f.r = r
	return f
}

// env returns a fake machine: this host is "here", processes in live
// exist, and sleeping advances the clock.
func (f *lockFixture) env(pid int, live ...int) *lockEnv {
	return &lockEnv{
		now: f.clock.Now,
		sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.slept = append(f.slept, d)
			f.mu.Unlock()
			f.clock.Advance(d)
			if f.onSleep != nil {
				f.onSleep(d)
			}
			return ctx.Err()
		},
		ticker: func(d time.Duration) (<-chan time.Time, func()) {
			switch d {
			case lockRefreshInterval:
				return f.refresh, func() {}
			case lockCheckInterval:
				return f.check, func() {}
			}
			panic("unexpected ticker interval")
		},
		alive:    func(p int) bool { return p == pid || slices.Contains(live, p) },
		hostname: "here",
		username: "deploy",
		pid:      pid,
		uid:      1000,
		gid:      1000,
	}
}

func (f *lockFixture) sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.slept)
}

// lock acquires a lock as process pid.
func (f *lockFixture) lock(t *testing.T, pid int, exclusive bool) (*Lock, context.Context) {
	t.Helper()
	l, ctx, err := f.r.LockWithOptions(t.Context(), LockOptions{Exclusive: exclusive, env: f.env(pid)})
	if err != nil {
		t.Fatalf("lock as %d (exclusive %v): %v", pid, exclusive, err)
	}
	t.Cleanup(func() { l.Unlock() })
	return l, ctx
}

// put writes a lock file as another process would.
func (f *lockFixture) put(t *testing.T, lf lockFile) string {
	t.Helper()
	id, err := f.r.saveLock(t.Context(), lf)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// putRaw writes arbitrary bytes as a lock file.
func (f *lockFixture) putRaw(t *testing.T, data []byte) string {
	t.Helper()
	id := sha(append(data, 'x'))
	if err := f.be.Save(t.Context(), backend.Handle{Type: backend.LockFile, Name: id}, backend.NewByteReader(data)); err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *lockFixture) lockIDs(t *testing.T) []string {
	t.Helper()
	var ids []string
	err := f.be.List(t.Context(), backend.LockFile, func(fi backend.FileInfo) error {
		ids = append(ids, fi.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

func sortedLockIDs(ids ...string) []string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return ids
}

// deadPID returns the ID of a process that ran and was reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestLockFileJSON(t *testing.T) {
	tm := time.Date(2026, 11, 27, 13, 48, 37, 166810262, time.UTC)
	for _, tc := range []struct {
		lf   lockFile
		want string
	}{
		{lockFile{Time: tm, Hostname: "vm", Username: "root", PID: 5156},
			`{"time":"2026-11-27T13:48:37.166810262Z","exclusive":false,"hostname":"vm","username":"root","pid":5156}`},
		{lockFile{Time: tm, Exclusive: true, Hostname: "vm", Username: "app", PID: 7, UID: 1000, GID: 100},
			`{"time":"2026-11-27T13:48:37.166810262Z","exclusive":true,"hostname":"vm","username":"app","pid":7,"uid":1000,"gid":100}`},
	} {
		f := newLockFixture(t)
		id := f.put(t, tc.lf)
		js, err := f.r.loadEncrypted(t.Context(), backend.Handle{Type: backend.LockFile, Name: id}, maxLockSize)
		if err != nil {
			t.Fatal(err)
		}
		if string(js) != tc.want {
			t.Errorf("lock file\n got %s\nwant %s", js, tc.want)
		}
	}
}

func TestLockNonExclusiveCoexist(t *testing.T) {
	f := newLockFixture(t)
	a, _ := f.lock(t, 100, false)
	b, _ := f.lock(t, 101, false)
	if got, want := f.lockIDs(t), sortedLockIDs(a.ID(), b.ID()); !slices.Equal(got, want) {
		t.Fatalf("lock files %v, want %v", got, want)
	}
	if got := f.sleeps(); !slices.Equal(got, []time.Duration{lockSettleDelay, lockSettleDelay}) {
		t.Errorf("slept %v, want the 200 ms settle delay twice", got)
	}
	infos, err := f.r.locks(t.Context(), f.env(100, 101))
	if err != nil || len(infos) != 2 {
		t.Fatalf("locks: %v, %v", infos, err)
	}
	want := LockInfo{ID: a.ID(), Time: infos[0].Time, Hostname: "here", Username: "deploy", PID: 100, UID: 1000, GID: 1000}
	if infos[0] != want || infos[1].PID != 101 || infos[0].Time.After(infos[1].Time) {
		t.Errorf("locks = %+v, want first %+v", infos, want)
	}
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got := f.lockIDs(t); !slices.Equal(got, []string{b.ID()}) {
		t.Errorf("after unlock: %v, want only %s", got, b.ID())
	}
}

func TestLockConflicts(t *testing.T) {
	for _, tc := range []struct {
		name           string
		held, want     bool // exclusive
		wantConflicted bool
	}{
		{"shared/shared", false, false, false},
		{"shared/exclusive", false, true, true},
		{"exclusive/shared", true, false, true},
		{"exclusive/exclusive", true, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newLockFixture(t)
			holder, _ := f.lock(t, 100, tc.held)
			f.clock.Advance(5 * time.Minute)
			l, _, err := f.r.LockWithOptions(t.Context(), LockOptions{Exclusive: tc.want, env: f.env(200, 100)})
			if !tc.wantConflicted {
				if err != nil {
					t.Fatal(err)
				}
				l.Unlock()
				return
			}
			if !errors.Is(err, ErrLocked) {
				t.Fatalf("err = %v, want ErrLocked", err)
			}
			var le *LockedError
			if !errors.As(err, &le) {
				t.Fatalf("err %T is no *LockedError", err)
			}
			want := LockedError{ID: holder.ID(), Exclusive: tc.held, Host: "here", User: "deploy", PID: 100,
				UID: 1000, GID: 1000, Time: le.Time, Age: 5*time.Minute + lockSettleDelay}
			if *le != want {
				t.Errorf("LockedError = %+v, want %+v", *le, want)
			}
			if got := f.lockIDs(t); !slices.Equal(got, []string{holder.ID()}) {
				t.Errorf("lock files after conflict: %v, want only the holder's", got)
			}
		})
	}
}

func TestLockConflictOnRecheck(t *testing.T) {
	f := newLockFixture(t)
	var rival string
	f.onSleep = func(time.Duration) {
		if rival == "" {
			rival = f.put(t, lockFile{Time: f.clock.Now(), Exclusive: true, Hostname: "there", Username: "x", PID: 9})
		}
	}
	_, _, err := f.r.LockWithOptions(t.Context(), LockOptions{env: f.env(100)})
	var le *LockedError
	if !errors.As(err, &le) || le.ID != rival || le.Host != "there" || !le.Exclusive {
		t.Fatalf("err = %v, want the rival's exclusive lock", err)
	}
	if got := f.lockIDs(t); !slices.Equal(got, []string{rival}) {
		t.Errorf("lock files %v, want only the rival's: ours must be removed", got)
	}
}

func TestLockedErrorMessage(t *testing.T) {
	e := &LockedError{ID: "1a2b3c4d5e6f", Exclusive: true, Host: "db1", User: "root", PID: 1234,
		Time: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC), Age: 5*time.Minute + 300*time.Millisecond}
	want := "repository is already locked exclusively by PID 1234 on db1 by root (UID 0, GID 0)\n" +
		"lock was created at 2026-01-02 15:04:05 (5m0s ago)\nstorage ID 1a2b3c4d"
	if e.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", e.Error(), want)
	}
	e.Exclusive, e.Stale = false, true
	if got := e.Error(); !strings.HasPrefix(got, "repository is already locked by PID 1234") || !strings.HasSuffix(got, "\nthe lock is stale: unlock removes it") {
		t.Errorf("shared stale message %q", got)
	}
	if !errors.Is(e, ErrLocked) {
		t.Error("LockedError does not wrap ErrLocked")
	}
}

func TestLockStale(t *testing.T) {
	f := newLockFixture(t)
	dead := deadPID(t)
	env := f.env(os.Getpid())
	env.alive = processExists
	now := f.clock.Now()
	for _, tc := range []struct {
		name  string
		lf    lockFile
		stale bool
	}{
		{"other host recent", lockFile{Time: now.Add(-29 * time.Minute), Hostname: "there", PID: dead}, false},
		{"other host old", lockFile{Time: now.Add(-31 * time.Minute), Hostname: "there", PID: 1}, true},
		{"this host old live PID", lockFile{Time: now.Add(-31 * time.Minute), Hostname: "here", PID: os.Getpid()}, true},
		{"this host live PID", lockFile{Time: now.Add(-29 * time.Minute), Hostname: "here", PID: os.Getpid()}, false},
		{"this host PID 1", lockFile{Time: now, Hostname: "here", PID: 1}, false},
		{"this host dead PID", lockFile{Time: now, Hostname: "here", PID: dead}, true},
		{"this host no PID", lockFile{Time: now, Hostname: "here"}, true},
		{"future time", lockFile{Time: now.Add(time.Hour), Hostname: "there", PID: 1}, false},
	} {
		if got := tc.lf.stale(env); got != tc.stale {
			t.Errorf("%s: stale = %v, want %v", tc.name, got, tc.stale)
		}
	}
}

func TestLockStaleStillBlocks(t *testing.T) {
	f := newLockFixture(t)
	old := f.put(t, lockFile{Time: f.clock.Now().Add(-time.Hour), Hostname: "there", Username: "x", PID: 9})
	_, _, err := f.r.LockWithOptions(t.Context(), LockOptions{Exclusive: true, env: f.env(100)})
	var le *LockedError
	if !errors.As(err, &le) || le.ID != old || !le.Stale || le.Age != time.Hour {
		t.Fatalf("err = %#v, want a stale *LockedError for %s, 1h old", err, old)
	}
	if !strings.Contains(err.Error(), "stale") {
		t.Errorf("message does not say the lock is stale: %q", err)
	}
}

func TestLockUnlockStale(t *testing.T) {
	f := newLockFixture(t)
	now := f.clock.Now()
	staleOld := f.put(t, lockFile{Time: now.Add(-31 * time.Minute), Hostname: "there", PID: 9})
	staleDead := f.put(t, lockFile{Time: now, Hostname: "here", PID: 666})
	live := f.put(t, lockFile{Time: now, Hostname: "here", PID: 100, Exclusive: true})
	other := f.put(t, lockFile{Time: now, Hostname: "there", PID: 666})
	garbage := f.putRaw(t, []byte("not a lock file"))
	empty := f.putRaw(t, nil)
	env := f.env(100)

	infos, err := f.r.locks(t.Context(), env)
	if err != nil {
		t.Fatal(err)
	}
	stale := map[string]bool{}
	for _, li := range infos {
		stale[li.ID] = li.Stale
		if (li.ID == garbage) != errors.Is(li.Err, ErrIntegrity) || (li.ID == empty) != errors.Is(li.Err, errEmptyLock) {
			t.Errorf("lock %s: Err = %v", li.ID[:8], li.Err)
		}
	}
	if len(infos) != 6 || !stale[staleOld] || !stale[staleDead] || stale[live] || stale[other] {
		t.Errorf("locks = %+v", infos)
	}

	n, err := f.r.unlock(t.Context(), false, env)
	if err != nil || n != 2 {
		t.Fatalf("unlock = %d, %v; want 2 stale locks removed", n, err)
	}
	if got, want := f.lockIDs(t), sortedLockIDs(live, other, garbage, empty); !slices.Equal(got, want) {
		t.Fatalf("after unlock: %v, want %v", got, want)
	}
	n, err = f.r.unlock(t.Context(), true, env)
	if err != nil || n != 4 {
		t.Fatalf("unlock --remove-all = %d, %v; want 4", n, err)
	}
	if got := f.lockIDs(t); len(got) != 0 {
		t.Fatalf("after remove-all: %v", got)
	}
}

func TestLockInvalidFile(t *testing.T) {
	f := newLockFixture(t)
	f.putRaw(t, nil) // empty lock files are ignored
	garbage := f.putRaw(t, []byte("garbage"))
	_, _, err := f.r.LockWithOptions(t.Context(), LockOptions{env: f.env(100)})
	var ie *InvalidLockError
	if !errors.As(err, &ie) || ie.ID != garbage || !errors.Is(err, ErrIntegrity) || errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want *InvalidLockError for %s", err, garbage)
	}
	if msg := err.Error(); !strings.Contains(msg, "invalid lock file "+garbage[:8]) || !strings.Contains(msg, "unlock --remove-all") {
		t.Errorf("message %q", msg)
	}
	if got, want := f.sleeps(), []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}; !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}

	// The file becomes readable while we wait: acquisition succeeds.
	f = newLockFixture(t)
	garbage = f.putRaw(t, []byte("garbage"))
	f.onSleep = func(time.Duration) {
		if garbage != "" {
			f.be.Remove(t.Context(), backend.Handle{Type: backend.LockFile, Name: garbage})
			garbage = ""
		}
	}
	l, _, err := f.r.LockWithOptions(t.Context(), LockOptions{env: f.env(100)})
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
}

func TestLockRetry(t *testing.T) {
	f := newLockFixture(t)
	f.lock(t, 100, true)
	f.slept = nil
	_, _, err := f.r.LockWithOptions(t.Context(), LockOptions{RetryLock: 2 * time.Minute, env: f.env(200, 100)})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "gave up after waiting 2m0s") {
		t.Fatalf("err = %v, want ErrLocked after 2m", err)
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 45 * time.Second}
	if got := f.sleeps(); !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}

	// The holder goes away during the third wait.
	f = newLockFixture(t)
	holder, _ := f.lock(t, 100, true)
	f.slept = nil
	f.onSleep = func(time.Duration) {
		if len(f.sleeps()) == 3 {
			holder.Unlock()
		}
	}
	l, _, err := f.r.LockWithOptions(t.Context(), LockOptions{Exclusive: true, RetryLock: time.Hour, env: f.env(200, 100)})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	want = []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, lockSettleDelay}
	if got := f.sleeps(); !slices.Equal(got, want) {
		t.Errorf("slept %v, want %v", got, want)
	}

	// Backoff is capped at 60 s.
	f = newLockFixture(t)
	f.lock(t, 100, true)
	f.slept = nil
	f.r.LockWithOptions(t.Context(), LockOptions{RetryLock: 5 * time.Minute, env: f.env(200, 100)})
	if got := f.sleeps(); len(got) < 6 || got[5] != time.Minute || slices.Max(got) != time.Minute {
		t.Errorf("slept %v, want a backoff capped at 1m", got)
	}
}

// sendTick delivers a tick to a loop of a held lock.
func sendTick(t *testing.T, c chan<- time.Time, now time.Time) {
	t.Helper()
	select {
	case c <- now:
	case <-time.After(10 * time.Second):
		t.Fatal("lock loop does not take ticks")
	}
}

// refreshFixture holds a lock whose loops report through channels.
func refreshFixture(t *testing.T) (*lockFixture, *Lock, context.Context, chan error, chan struct{}) {
	t.Helper()
	f := newLockFixture(t)
	refreshed, checked := make(chan error, 1), make(chan struct{}, 1)
	env := f.env(100)
	env.afterRefresh = func(err error) { refreshed <- err }
	env.afterCheck = func() { checked <- struct{}{} }
	l, ctx, err := f.r.LockWithOptions(t.Context(), LockOptions{Exclusive: true, env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Unlock() })
	return f, l, ctx, refreshed, checked
}

func TestLockRefresh(t *testing.T) {
	f, l, ctx, refreshed, checked := refreshFixture(t)
	first := l.ID()

	f.clock.Advance(lockRefreshInterval)
	sendTick(t, f.refresh, f.clock.Now())
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	second := l.ID()
	if second == first {
		t.Fatal("refresh kept the lock ID")
	}
	if got := f.lockIDs(t); !slices.Equal(got, []string{second}) {
		t.Fatalf("lock files %v, want only %s", got, second)
	}
	lf, err := f.r.loadLock(t.Context(), second)
	if err != nil || !lf.Time.Equal(f.clock.Now()) || !lf.Exclusive || lf.PID != 100 {
		t.Fatalf("refreshed lock %+v, %v; want time %v", lf, err, f.clock.Now())
	}

	// Refreshing fails from now on; the operation goes on until 22.5
	// minutes after the last successful refresh.
	f.be.failSave.Store(true)
	for range 4 {
		f.clock.Advance(lockRefreshInterval)
		sendTick(t, f.refresh, f.clock.Now())
		if err := <-refreshed; !errors.Is(err, errInjected) {
			t.Fatalf("refresh error %v, want the injected one", err)
		}
	}
	f.clock.Advance(lockRefreshDeadline - 4*lockRefreshInterval)
	sendTick(t, f.check, f.clock.Now())
	<-checked
	if ctx.Err() != nil {
		t.Fatalf("context cancelled at the deadline: %v", context.Cause(ctx))
	}
	f.clock.Advance(time.Second)
	sendTick(t, f.check, f.clock.Now())
	<-checked
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("context not cancelled past the deadline")
	}
	cause := context.Cause(ctx)
	if !errors.Is(cause, ErrLockLost) || !errors.Is(cause, errInjected) || !strings.Contains(cause.Error(), "no successful refresh for 22m31s") {
		t.Errorf("cause = %v", cause)
	}

	f.be.failSave.Store(false)
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got := f.lockIDs(t); len(got) != 0 {
		t.Errorf("lock files after unlock: %v", got)
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("second unlock: %v", err)
	}
}

func TestLockRemovedByOther(t *testing.T) {
	f, l, ctx, refreshed, _ := refreshFixture(t)
	if n, err := f.r.unlock(t.Context(), true, f.env(1)); n != 1 || err != nil {
		t.Fatalf("remove-all: %d, %v", n, err)
	}
	f.clock.Advance(lockRefreshInterval)
	sendTick(t, f.refresh, f.clock.Now())
	if err := <-refreshed; !errors.Is(err, ErrLockLost) {
		t.Fatalf("refresh error %v, want ErrLockLost", err)
	}
	<-ctx.Done()
	if cause := context.Cause(ctx); !errors.Is(cause, ErrLockLost) || !strings.Contains(cause.Error(), "removed by another process") {
		t.Errorf("cause = %v", cause)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got := f.lockIDs(t); len(got) != 0 {
		t.Errorf("lock files after unlock: %v", got)
	}
}

func TestLockUnlockAfterCancel(t *testing.T) {
	f := newLockFixture(t)
	parent, cancel := context.WithCancel(t.Context())
	l, ctx, err := f.r.LockWithOptions(parent, LockOptions{env: f.env(100)})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-ctx.Done()
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got := f.lockIDs(t); len(got) != 0 {
		t.Errorf("lock files after unlock: %v", got)
	}

	l, ctx, err = f.r.LockWithOptions(t.Context(), LockOptions{env: f.env(100)})
	if err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if !errors.Is(context.Cause(ctx), errLockReleased) {
		t.Errorf("context after unlock: %v", context.Cause(ctx))
	}
}

func TestLockRealMachine(t *testing.T) {
	f := newLockFixture(t)
	f.r.now = time.Now
	l, _, err := f.r.Lock(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	infos, err := f.r.Locks(t.Context())
	if err != nil || len(infos) != 1 {
		t.Fatalf("locks %v, %v", infos, err)
	}
	host, _ := os.Hostname()
	if li := infos[0]; li.ID != l.ID() || li.PID != os.Getpid() || li.Hostname != host || li.Stale || li.UID != uint32(os.Getuid()) {
		t.Errorf("lock %+v", li)
	}
	if n, err := f.r.Unlock(t.Context(), false); n != 0 || err != nil {
		t.Errorf("unlock removed %d, %v; a live lock is not stale", n, err)
	}
}
