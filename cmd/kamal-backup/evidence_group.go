package main

// evidenceGroup holds "evidence" (the report, its default subcommand, so
// "kamal-backup evidence --format html" still works) and the commands
// that sign, verify and audit it.
type evidenceGroup struct {
	Report  evidenceCmd        `cmd:"" default:"withargs" help:"Collect and print the evidence (the default: \"evidence\" alone runs it)."`
	Keygen  evidenceKeygenCmd  `cmd:"" help:"Create an ed25519 key pair for signing evidence."`
	Verify  evidenceVerifyCmd  `cmd:"" help:"Verify a signed evidence file and the history it holds."`
	History evidenceHistoryCmd `cmd:"" help:"List the hash-chained history of backups, checks and drills and verify it."`
}
