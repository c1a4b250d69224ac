package repo

import (
	"context"
	"fmt"
	"sync"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// checkTreeIssue is an issue found in (or about) a tree, waiting for the walk
// to finish so that the snapshots reaching the tree can be named.
type checkTreeIssue struct {
	tree  ID
	issue CheckIssue
}

// checkTreeWalk loads every tree reachable from its roots exactly once, on a
// bounded number of workers sharing one queue.
type checkTreeWalk struct {
	c    *checker
	mu   sync.Mutex
	cond *sync.Cond
	// queue holds trees waiting to be loaded; busy counts trees being
	// loaded, whose children may still be queued.
	queue []ID
	busy  int
	err   error
	seen  map[ID]struct{}
	// roots maps a snapshot root tree to its snapshots; parents maps a
	// tree to the trees referencing it.
	roots   map[ID][]string
	parents map[ID][]ID
	issues  []checkTreeIssue
	trees   int
}

func newCheckTreeWalk(c *checker) *checkTreeWalk {
	w := &checkTreeWalk{c: c, seen: map[ID]struct{}{}, roots: map[ID][]string{}, parents: map[ID][]ID{}}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// addRoot queues the root tree of snapshot sid.
func (w *checkTreeWalk) addRoot(tid ID, sid string) {
	w.roots[tid] = append(w.roots[tid], sid)
	if _, ok := w.seen[tid]; !ok {
		w.seen[tid] = struct{}{}
		w.queue = append(w.queue, tid)
	}
}

// run loads and checks the queued trees and all trees below them on
// workers goroutines. It returns the first operational error.
func (w *checkTreeWalk) run(ctx context.Context, workers int) error {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() { w.work(ctx) })
	}
	wg.Wait()
	if w.err != nil {
		return w.err
	}
	return ctx.Err()
}

func (w *checkTreeWalk) work(ctx context.Context) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		for len(w.queue) == 0 && w.busy > 0 && w.err == nil {
			w.cond.Wait()
		}
		if len(w.queue) == 0 || w.err != nil {
			w.cond.Broadcast()
			return
		}
		tid := w.queue[len(w.queue)-1]
		w.queue = w.queue[:len(w.queue)-1]
		w.busy++
		w.mu.Unlock()
		children, issues, err := w.visit(ctx, tid)
		w.mu.Lock()
		w.busy--
		if err != nil && w.err == nil {
			w.err = err
		}
		w.issues = append(w.issues, issues...)
		for _, child := range children {
			w.parents[child] = append(w.parents[child], tid)
			if _, ok := w.seen[child]; !ok {
				w.seen[child] = struct{}{}
				w.queue = append(w.queue, child)
			}
		}
		w.cond.Broadcast()
	}
}

// visit loads tree tid and checks its nodes. It returns the subtrees to
// visit, the issues found, and an error only for operational failures.
func (w *checkTreeWalk) visit(ctx context.Context, tid ID) ([]ID, []checkTreeIssue, error) {
	c := w.c
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	data, err := c.r.LoadBlob(ctx, TreeBlob, tid)
	var t *tree.Tree
	if err == nil {
		c.prog.CheckAdvance(1, 0)
		w.mu.Lock()
		w.trees++
		w.mu.Unlock()
		if t, err = tree.Decode(data); err != nil {
			err = &IntegrityError{File: "tree", Blob: tid.String(), Err: err}
		}
	}
	if err != nil {
		if !c.isDamage(ctx, err) {
			return nil, nil, err
		}
		return nil, []checkTreeIssue{{tid, checkTreeLoadIssue(tid, err, c.r.be)}}, nil
	}
	var children []ID
	var issues []checkTreeIssue
	for _, n := range t.Nodes {
		sub, msgs := c.checkNode(n)
		for _, m := range msgs {
			issues = append(issues, checkTreeIssue{tid, m})
		}
		if sub != nil {
			children = append(children, *sub)
		}
	}
	for i := range issues {
		issues[i].issue.Message = fmt.Sprintf("tree %s: %s", tid.Str(), issues[i].issue.Message)
		if issues[i].issue.Blob == "" {
			issues[i].issue.Blob = tid.String()
		}
	}
	return children, issues, nil
}
