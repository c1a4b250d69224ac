// Package kamal runs kamal-backup commands on the backup accessory of a
// Kamal app, from the app's checkout on a developer machine: the Kamal
// bridge.
//
// An operator in the checkout types "kamal-backup list" and the command
// runs on the server, inside the running accessory container, as
//
//	bin/kamal accessory exec [-c CONFIG] [-d DEST] --reuse --quiet backup "kamal-backup list"
//
// which is what the Ruby kamal-backup does too. The pieces:
//
//   - [Find] detects the checkout: config/deploy.yml in the working
//     directory or a parent, or the deploy file named like Kamal's
//     -c/--config-file, with the -d/--destination overlay
//     (config/deploy.NAME.yml) that Kamal would merge. It finds the
//     kamal executable (bin/kamal in the checkout, else kamal in PATH)
//     and the accessory's name (KAMAL_BACKUP_ACCESSORY, else "accessory"
//     in config/kamal-backup.yml next to the deploy file, else "backup").
//   - [PlaceOf] says which commands belong on the accessory: backup,
//     list, check, unlock, prune, evidence, validate and version run
//     there; restore production and drill production too, over SSH with
//     a terminal so that their prompts work; everything else (restore
//     local, drill local, init, schedule, repo ...) runs where it is
//     started.
//   - [InAccessory] reports whether the process runs inside the accessory
//     itself, where nothing is bridged: the accessory image sets
//     KAMAL_BACKUP_IN_ACCESSORY=1. (A checkout is not found there either,
//     as the image holds config/kamal-backup.yml but no config/deploy.yml.)
//   - [Runner] runs the command through Kamal, and checks first that the
//     accessory runs the same kamal-backup version ([Runner.CheckVersion]).
//
// The command Kamal runs on the server is one string, which a shell on
// the server splits into words again: [Command] quotes every argument so
// that it arrives unchanged, and so that it stays inert inside the
// single-quoted line Kamal appends to its audit log on the server.
package kamal
