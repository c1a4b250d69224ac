package main

import (
	"context"
	"errors"
)

// evidenceHistoryCmd lists and verifies the history chain. (Being
// implemented.)
type evidenceHistoryCmd struct{}

// Run lists the history.
func (c *evidenceHistoryCmd) Run(ctx context.Context, g *Globals) error {
	return errors.New("evidence history: not implemented yet")
}
