package main

import (
	"fmt"
	"strconv"

	"github.com/kamal-backup/kamal-backup/repo"
	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// keepCount is the value of a --keep-<bucket> flag: a count, or -1 or
// "unlimited" for every bucket.
type keepCount int

// UnmarshalText parses N, -1 or "unlimited".
func (k *keepCount) UnmarshalText(b []byte) error {
	s := string(b)
	if s == "unlimited" {
		*k = retention.Unlimited
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < retention.Unlimited {
		return fmt.Errorf("invalid count %q: want a number, -1 or unlimited", s)
	}
	*k = keepCount(n)
	return nil
}

// keepFlags are forget's retention policy, restic's --keep-* flags.
type keepFlags struct {
	KeepLast    keepCount `name:"keep-last" placeholder:"N" help:"Keep the last N snapshots (N, or unlimited)."`
	KeepHourly  keepCount `name:"keep-hourly" placeholder:"N" help:"Keep the last snapshot of each of the last N hours with snapshots."`
	KeepDaily   keepCount `name:"keep-daily" placeholder:"N" help:"Keep the last snapshot of each of the last N days with snapshots."`
	KeepWeekly  keepCount `name:"keep-weekly" placeholder:"N" help:"Keep the last snapshot of each of the last N ISO weeks with snapshots."`
	KeepMonthly keepCount `name:"keep-monthly" placeholder:"N" help:"Keep the last snapshot of each of the last N months with snapshots."`
	KeepYearly  keepCount `name:"keep-yearly" placeholder:"N" help:"Keep the last snapshot of each of the last N years with snapshots."`

	KeepWithin        retention.Duration `name:"keep-within" placeholder:"DURATION" help:"Keep every snapshot newer than DURATION (e.g. 1y5m7d2h) before the newest."`
	KeepWithinHourly  retention.Duration `name:"keep-within-hourly" placeholder:"DURATION" help:"Keep the last snapshot of each hour within DURATION before the newest."`
	KeepWithinDaily   retention.Duration `name:"keep-within-daily" placeholder:"DURATION" help:"Keep the last snapshot of each day within DURATION before the newest."`
	KeepWithinWeekly  retention.Duration `name:"keep-within-weekly" placeholder:"DURATION" help:"Keep the last snapshot of each week within DURATION before the newest."`
	KeepWithinMonthly retention.Duration `name:"keep-within-monthly" placeholder:"DURATION" help:"Keep the last snapshot of each month within DURATION before the newest."`
	KeepWithinYearly  retention.Duration `name:"keep-within-yearly" placeholder:"DURATION" help:"Keep the last snapshot of each year within DURATION before the newest."`

	KeepTag []string `name:"keep-tag" sep:"none" placeholder:"TAG[,TAG...]" help:"Keep snapshots with all these tags (repeatable: any of the lists)."`
}

// policy returns the retention.Policy the flags describe.
func (k keepFlags) policy() retention.Policy {
	return retention.Policy{
		Last: int(k.KeepLast), Hourly: int(k.KeepHourly), Daily: int(k.KeepDaily),
		Weekly: int(k.KeepWeekly), Monthly: int(k.KeepMonthly), Yearly: int(k.KeepYearly),
		Within: k.KeepWithin, WithinHourly: k.KeepWithinHourly, WithinDaily: k.KeepWithinDaily,
		WithinWeekly: k.KeepWithinWeekly, WithinMonthly: k.KeepWithinMonthly, WithinYearly: k.KeepWithinYearly,
		Tags: repo.ParseTagLists(k.KeepTag),
	}
}
