package kamal

import "strings"

// InAccessoryEnv is the environment variable the accessory image sets
// (to "1") so that kamal-backup knows it runs inside the accessory and
// never bridges to Kamal from there.
const InAccessoryEnv = "KAMAL_BACKUP_IN_ACCESSORY"

// Place is where a kamal-backup command runs when it is started from an
// app checkout on a developer machine.
type Place int

const (
	// Here is a command that runs where it is started: restore local,
	// drill local, init, schedule and the repo commands.
	Here Place = iota
	// Accessory is a command that runs on the accessory through
	// "kamal accessory exec", its output passed back.
	Accessory
	// AccessoryInteractive is a command that runs on the accessory and
	// may prompt: over SSH with a terminal when there is one (restore
	// production, drill production).
	AccessoryInteractive
)

// String returns "here", "accessory" or "accessory-interactive".
func (p Place) String() string {
	switch p {
	case Accessory:
		return "accessory"
	case AccessoryInteractive:
		return "accessory-interactive"
	}
	return "here"
}

// PlaceOf returns where the command named by its words (["list"],
// ["restore", "production"]) runs. Unknown commands run Here.
func PlaceOf(command ...string) Place {
	if len(command) == 0 {
		return Here
	}
	switch command[0] {
	case "backup", "list", "check", "unlock", "prune", "evidence", "validate", "version":
		return Accessory
	case "restore", "drill":
		if len(command) > 1 && command[1] == "production" {
			return AccessoryInteractive
		}
	}
	return Here
}

// InAccessory reports whether the process runs inside the accessory:
// InAccessoryEnv is set to anything but "", "0", "false" or "no".
func InAccessory(lookupEnv func(string) (string, bool)) bool {
	v, _ := lookupEnv(InAccessoryEnv)
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no":
		return false
	}
	return true
}
