package tree

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []Node{
		{Name: "a", Type: TypeFile}, {Name: "..a", Type: TypeDir}, {Name: "...", Type: TypeSymlink},
		{Name: "\xff", Type: TypeDev}, {Name: "a\\b", Type: TypeCharDev}, {Name: " ", Type: TypeFifo},
		{Name: ".hidden", Type: TypeSocket}, {Name: "x", Type: TypeIrregular},
	}
	for _, n := range good {
		if err := n.Validate(); err != nil {
			t.Errorf("Validate(%q, %q): %v", n.Name, n.Type, err)
		}
	}
	bad := []Node{
		{Name: "", Type: TypeFile}, {Name: ".", Type: TypeDir}, {Name: "..", Type: TypeDir},
		{Name: "a/b", Type: TypeFile}, {Name: "/", Type: TypeDir}, {Name: "a\x00", Type: TypeFile},
		{Name: "a", Type: ""}, {Name: "a", Type: "File"}, {Name: "a", Type: "whiteout"},
	}
	for _, n := range bad {
		if err := n.Validate(); !errors.Is(err, ErrInvalidNode) {
			t.Errorf("Validate(%q, %q) = %v, want ErrInvalidNode", n.Name, n.Type, err)
		}
	}
}
