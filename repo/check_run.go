package repo

import (
	"context"
	"errors"
	"fmt"
)

// subset validates the read-data options.
func (o CheckOptions) subset() (DataSubset, bool, error) {
	if o.ReadDataSubset == "" {
		return DataSubset{}, o.ReadData, nil
	}
	if o.ReadData {
		return DataSubset{}, false, errors.New("check: ReadData and ReadDataSubset cannot be used together")
	}
	sub, err := ParseDataSubset(o.ReadDataSubset)
	if err != nil {
		return DataSubset{}, false, fmt.Errorf("check: %w", err)
	}
	return sub, true, nil
}

// run performs the steps in order.
func (c *checker) run(ctx context.Context, sub DataSubset, readData bool) error {
	snaps, err := c.r.listNames(ctx, snapshotType)
	if err != nil {
		return err
	}
	ok, err := c.checkIndex(ctx)
	if err != nil || !ok {
		return err
	}
	if err := c.checkPacks(ctx); err != nil {
		return err
	}
	if err := c.checkStructure(ctx, snaps); err != nil {
		return err
	}
	if readData || c.opts.ReadPack != nil {
		return c.readData(ctx, sub, readData)
	}
	return nil
}
