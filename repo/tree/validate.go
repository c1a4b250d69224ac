package tree

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidNode is wrapped by the errors Validate returns.
var ErrInvalidNode = errors.New("invalid node")

// Validate reports whether n is safe to restore: its name must be a single
// path element (not empty, ".", or "..", and without "/" or NUL), and its
// type must be one of the Type constants. Errors wrap ErrInvalidNode.
func (n *Node) Validate() error {
	switch {
	case n.Name == "":
		return fmt.Errorf("%w: empty name", ErrInvalidNode)
	case n.Name == "." || n.Name == "..":
		return fmt.Errorf("%w: name %q", ErrInvalidNode, n.Name)
	case strings.ContainsRune(n.Name, '/'):
		return fmt.Errorf("%w: name %q contains a slash", ErrInvalidNode, n.Name)
	case strings.ContainsRune(n.Name, 0):
		return fmt.Errorf("%w: name %q contains a NUL byte", ErrInvalidNode, n.Name)
	}
	switch n.Type {
	case TypeFile, TypeDir, TypeSymlink, TypeDev, TypeCharDev, TypeFifo, TypeSocket, TypeIrregular:
		return nil
	}
	return fmt.Errorf("%w: %q has unknown type %q", ErrInvalidNode, n.Name, n.Type)
}
