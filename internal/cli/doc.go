// Package cli holds the output helpers of the kamal-backup command: the
// JSON records that mirror restic's --json output field for field, the
// snapshot table, snapshot references ("latest:sub/dir"), ls path filters
// and a redactor that keeps passwords and URL credentials out of
// everything printed.
//
// The JSON shapes are a contract with scripts written for restic: fields
// keep restic's names, order and omission rules (checked against restic
// 0.18.1 by the command's golden tests).
package cli
