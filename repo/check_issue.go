package repo

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/backend"
	"github.com/kamal-backup/kamal-backup/repo/internal/index"
)

// checker holds the state of one Check run.
type checker struct {
	r    *Repository
	opts CheckOptions
	prog CheckProgress

	mu     sync.Mutex
	errs   []CheckIssue
	hints  []CheckIssue
	broken map[string]struct{}
	ok     []string    // packs read and verified
	res    CheckResult // counters and suggestions

	idx     *index.Index
	missing map[ID]struct{} // indexed packs absent from the backend
	sizes   map[ID]int64    // sizes of the indexed packs, as listed
}

func newChecker(r *Repository, opts CheckOptions) *checker {
	prog := opts.Progress
	if prog == nil {
		prog = checkNoProgress{}
	}
	return &checker{r: r, opts: opts, prog: prog, broken: map[string]struct{}{},
		missing: map[ID]struct{}{}, sizes: map[ID]int64{}}
}

// addError records damage. It is safe for concurrent use.
func (c *checker) addError(i CheckIssue) {
	c.mu.Lock()
	c.errs = append(c.errs, i)
	c.mu.Unlock()
}

// addHint records a harmless finding.
func (c *checker) addHint(i CheckIssue) {
	c.mu.Lock()
	c.hints = append(c.hints, i)
	c.mu.Unlock()
}

// markBroken adds a pack to the list `repair packs` should salvage.
func (c *checker) markBroken(packID ID) {
	c.mu.Lock()
	c.broken[packID.String()] = struct{}{}
	c.mu.Unlock()
}

// sortSince orders the issues added since a step began (errors from
// errFrom, hints from hintFrom), so output does not depend on scheduling.
func (c *checker) sortSince(errFrom, hintFrom int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	slices.SortStableFunc(c.errs[errFrom:], compareIssues)
	slices.SortStableFunc(c.hints[hintFrom:], compareIssues)
}

// marks returns the current number of errors and hints.
func (c *checker) marks() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.errs), len(c.hints)
}

func compareIssues(a, b CheckIssue) int {
	return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Blob, b.Blob),
		cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Message, b.Message))
}

// result assembles the CheckResult; empty lists are non-nil so that JSON
// shows [] rather than null.
func (c *checker) result() *CheckResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := c.res
	res.Errors = append([]CheckIssue{}, c.errs...)
	res.Hints = append([]CheckIssue{}, c.hints...)
	res.BrokenPacks = make([]string, 0, len(c.broken))
	for p := range c.broken {
		res.BrokenPacks = append(res.BrokenPacks, p)
	}
	slices.Sort(res.BrokenPacks)
	res.PacksVerified = make([]string, 0, len(c.ok))
	for _, p := range c.ok {
		if _, bad := c.broken[p]; !bad {
			res.PacksVerified = append(res.PacksVerified, p)
		}
	}
	slices.Sort(res.PacksVerified)
	return &res
}

// isDamage reports whether err, from loading a repository file, means the
// file is damaged or missing rather than that the backend or the context
// failed. Damage goes into the result; anything else aborts Check.
func (c *checker) isDamage(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ie *IntegrityError
	return errors.As(err, &ie) || errors.Is(err, ErrNotFound) || errors.Is(err, backend.ErrShortFile) ||
		c.r.be.IsNotExist(err) || c.r.be.IsPermanentError(err)
}

// checkDamageCause returns the cause of an *IntegrityError, whose file the
// issue names already, or err itself.
func checkDamageCause(err error) error {
	var ie *IntegrityError
	if errors.As(err, &ie) {
		return ie.Err
	}
	return err
}

// checkPackPath returns the path of a pack, e.g. "data/c4/c43f...".
func checkPackPath(packID ID) string {
	return backend.Path(backend.Handle{Type: backend.PackFile, Name: packID.String()})
}

// checkShortIDs returns the short forms of full IDs, comma-separated.
func checkShortIDs(ids []string) string {
	out := make([]string, len(ids))
	for i, s := range ids {
		out[i] = s[:min(len(s), 8)]
	}
	return strings.Join(out, ", ")
}
