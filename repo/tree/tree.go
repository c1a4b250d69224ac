package tree

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Errors returned by Insert and Encode.
var (
	// ErrDuplicateName means two nodes of one tree have the same name.
	ErrDuplicateName = errors.New("duplicate node name")
	// ErrUnsorted means a tree's nodes are not in ascending byte-wise
	// order of their names.
	ErrUnsorted = errors.New("nodes not sorted by name")
)

// Tree is the decoded form of a tree blob: the entries of one directory.
//
// Nodes must be sorted by name compared byte-wise, without duplicates, for
// Encode to accept the tree. Insert keeps them that way; Decode keeps them in
// the order stored.
type Tree struct {
	Nodes []*Node
}

// Insert adds n at its place in name order. It returns an error wrapping
// ErrDuplicateName, and leaves t unchanged, if a node with the same name is
// already present. Nodes must already be sorted, as they are when built only
// by Insert or decoded from a tree written by restic.
func (t *Tree) Insert(n *Node) error {
	if n == nil {
		return errors.New("insert nil node")
	}
	i, found := slices.BinarySearchFunc(t.Nodes, n.Name, func(e *Node, name string) int {
		return strings.Compare(e.Name, name)
	})
	if found {
		return fmt.Errorf("insert %q: %w", n.Name, ErrDuplicateName)
	}
	t.Nodes = slices.Insert(t.Nodes, i, n)
	return nil
}

// Encode returns the tree blob for t, byte for byte as restic writes it:
//
//	{"nodes":[<node>,...]}\n
//
// A nil or empty tree encodes as {"nodes":[]}\n. Encode returns an error
// wrapping ErrUnsorted or ErrDuplicateName if the nodes are not strictly
// ascending by name, and an error if a node is nil or cannot be encoded (see
// Node.MarshalJSON).
func Encode(t *Tree) ([]byte, error) {
	var nodes []*Node
	if t != nil {
		nodes = t.Nodes
	}
	buf := make([]byte, 0, 14+256*len(nodes))
	buf = append(buf, `{"nodes":[`...)
	for i, n := range nodes {
		if n == nil {
			return nil, fmt.Errorf("encode tree: node %d is nil", i)
		}
		if i > 0 {
			prev := nodes[i-1].Name
			switch {
			case n.Name == prev:
				return nil, fmt.Errorf("encode tree: %q: %w", n.Name, ErrDuplicateName)
			case n.Name < prev:
				return nil, fmt.Errorf("encode tree: %q after %q: %w", n.Name, prev, ErrUnsorted)
			}
			buf = append(buf, ',')
		}
		var err error
		if buf, err = n.appendJSON(buf); err != nil {
			return nil, fmt.Errorf("encode tree: %w", err)
		}
	}
	return append(buf, "]}\n"...), nil
}

// Decode parses a tree blob. It accepts any JSON that restic's reader
// accepts: members other than "nodes" are ignored, nodes stay in the order
// stored, and unknown node members are kept (see Node). A null node, a name
// whose strconv.Quote escaping is invalid, or a member of the wrong type is
// an error naming the node's position and the problem. Decode never panics
// and its allocations are proportional to len(data).
func Decode(data []byte) (*Tree, error) {
	var raw struct {
		Nodes []json.RawMessage `json:"nodes"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decode tree: %w", err)
	}
	t := &Tree{Nodes: make([]*Node, 0, len(raw.Nodes))}
	for i, r := range raw.Nodes {
		if string(r) == "null" {
			return nil, fmt.Errorf("decode tree: node %d is null", i)
		}
		n := new(Node)
		if err := n.decode(r); err != nil {
			return nil, fmt.Errorf("decode tree: node %d: %w", i, err)
		}
		t.Nodes = append(t.Nodes, n)
	}
	return t, nil
}
