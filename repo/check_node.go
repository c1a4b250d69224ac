package repo

import (
	"fmt"

	"github.com/kamal-backup/kamal-backup/repo/tree"
)

// checkNode applies restic's per-node checks to n and returns the subtree
// to visit, if any, and the issues found (messages without the tree):
//
//   - a file must have a content list, whose blob IDs are not null and
//     are in the index (sizes are not compared);
//   - a directory must have a non-null subtree;
//   - symlinks, sockets, devices and fifos are not checked further;
//   - any other type is an error, including "irregular", which restic's
//     check does not accept either;
//   - the name must not be empty.
func (c *checker) checkNode(n *tree.Node) (*ID, []CheckIssue) {
	var issues []CheckIssue
	invalid := func(format string, args ...any) {
		issues = append(issues, CheckIssue{Kind: IssueNodeInvalid, Message: fmt.Sprintf(format, args...)})
	}
	var sub *ID
	switch n.Type {
	case tree.TypeFile:
		if n.Content == nil {
			invalid("file %q has nil blob list", n.Name)
		}
		for i, bid := range n.Content {
			switch {
			case bid.IsNull():
				invalid("file %q blob %d has null ID", n.Name, i)
			case !c.idx.Has(BlobHandle{ID: bid, Type: DataBlob}):
				issues = append(issues, CheckIssue{Kind: IssueBlobMissing, Blob: bid.String(),
					Message: fmt.Sprintf("file %q blob %s not found in index", n.Name, bid)})
			}
		}
	case tree.TypeDir:
		switch {
		case n.Subtree == nil:
			invalid("dir node %q has no subtree", n.Name)
		case n.Subtree.IsNull():
			invalid("dir node %q subtree id is null", n.Name)
		default:
			sub = n.Subtree
		}
	case tree.TypeSymlink, tree.TypeSocket, tree.TypeCharDev, tree.TypeDev, tree.TypeFifo:
	default:
		invalid("node %q with invalid type %q", n.Name, n.Type)
	}
	if n.Name == "" {
		invalid("node with empty name")
	}
	return sub, issues
}
