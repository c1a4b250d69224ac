package main

import (
	"context"
	"errors"
)

// evidenceKeygenCmd creates a signing key pair. (Being implemented.)
type evidenceKeygenCmd struct{}

// Run creates the key pair.
func (c *evidenceKeygenCmd) Run(ctx context.Context, g *Globals) error {
	return errors.New("evidence keygen: not implemented yet")
}

// evidenceVerifyCmd verifies a signed evidence file. (Being implemented.)
type evidenceVerifyCmd struct{}

// Run verifies the file.
func (c *evidenceVerifyCmd) Run(ctx context.Context, g *Globals) error {
	return errors.New("evidence verify: not implemented yet")
}
