package repo

// Steps of Check, as passed to CheckProgress.CheckStep.
const (
	// CheckStepIndex loads the index files; items are index files.
	CheckStepIndex = "index"
	// CheckStepPacks compares the packs with the index; items are packs.
	CheckStepPacks = "packs"
	// CheckStepSnapshots loads the snapshots; items are snapshots.
	CheckStepSnapshots = "snapshots"
	// CheckStepTrees walks the trees; items are trees, total unknown.
	CheckStepTrees = "trees"
	// CheckStepReadData downloads and verifies packs; items are packs.
	CheckStepReadData = "read_data"
)

// CheckProgress receives Check's progress. Its methods may be called
// concurrently from several goroutines and must return quickly.
type CheckProgress interface {
	// CheckStep announces that a step (a CheckStep constant) starts and
	// how many items it will process, or 0 if that is unknown.
	CheckStep(step string, total int)
	// CheckAdvance reports that items more items of the current step are
	// done, and bytes more bytes were downloaded for them.
	CheckAdvance(items int, bytes int64)
}

// checkNoProgress is the CheckProgress used when none is given.
type checkNoProgress struct{}

func (checkNoProgress) CheckStep(string, int)   {}
func (checkNoProgress) CheckAdvance(int, int64) {}
