// Package backup is the kamal-backup domain: the operator's configuration
// (config/kamal-backup.yml plus environment overrides), the contract every
// database adapter implements, snapshot naming and tags compatible with
// the Ruby kamal-backup, backup/restore/drill/schedule orchestration and
// the state records they leave behind.
//
// The database adapters live in child packages (backup/postgres,
// backup/mysql, backup/sqlite); the command layer assembles them into a
// Registry explicitly.
package backup
