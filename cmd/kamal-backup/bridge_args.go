package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/alecthomas/kong"
)

// bridgeArgs is the command line as the Kamal bridge reads it.
type bridgeArgs struct {
	// command holds the first two words that are not flags or their
	// values: "list", or "restore" "production".
	command []string
	// forward is the command line for kamal-backup on the accessory: args
	// without the bridge's own flags.
	forward []string
	// destination is -d/--destination.
	destination string
	// configFile is --config-file, or -c/--config when it names a Kamal
	// deploy file (deploy.yml, deploy.NAME.yml).
	configFile string
	// output is evidence's -o/--output: the bridge writes what the
	// accessory prints to this local file.
	output string

	noKamal, skipVersionCheck, help, json bool
}

// parseBridgeArgs reads args with the flags of the command tree at root,
// to know which flags take a value, without parsing them further.
//
// -d/--destination, --config-file, --no-kamal and --skip-version-check
// belong to the bridge wherever they are (before "--"). -c/--config is
// also the commands' own kamal-backup configuration flag: it is Kamal's
// deploy file only when the file is named deploy.yml or deploy.NAME.yml,
// as Kamal's are; otherwise it is passed on. Unknown flags are taken for
// flags without a value.
func parseBridgeArgs(args []string, root *kong.Node) (*bridgeArgs, error) {
	b := &bridgeArgs{}
	fs := flagSet{long: map[string]*kong.Flag{}, short: map[rune]*kong.Flag{}}
	fs.add(root)
	node := root
	for i := 0; i < len(args); i++ {
		a := args[i]
		var next *string
		if i+1 < len(args) {
			next = &args[i+1]
		}
		var used bool
		var err error
		switch {
		case a == "--":
			b.forward = append(b.forward, args[i:]...)
			return b, nil
		case strings.HasPrefix(a, "--"):
			used, err = b.long(a, next, &fs)
		case strings.HasPrefix(a, "-") && a != "-":
			used, err = b.short(a, next, &fs)
		default:
			b.forward = append(b.forward, a)
			if len(b.command) < 2 {
				b.command = append(b.command, a)
			}
			if child := commandChild(node, a); child != nil {
				node = child
				fs.add(child)
			}
		}
		if err != nil {
			return nil, err
		}
		if used {
			i++
		}
	}
	return b, nil
}

// long reads the flag "--name" or "--name=value"; it reports whether it
// used next as the flag's value.
func (b *bridgeArgs) long(a string, next *string, fs *flagSet) (usedNext bool, err error) {
	name, value, hasValue := strings.Cut(a[2:], "=")
	takeValue := func() (string, bool, error) {
		switch {
		case hasValue:
			return value, false, nil
		case next == nil:
			return "", false, fmt.Errorf("--%s needs a value", name)
		}
		return *next, true, nil
	}
	switch name {
	case "destination", "config-file":
		v, used, err := takeValue()
		if name == "destination" {
			b.destination = v
		} else {
			b.configFile = v
		}
		return used, err
	case "config":
		v, used, err := takeValue()
		if err == nil && isDeployFile(v) {
			b.configFile = v
			return used, nil
		}
	case "no-kamal", "skip-version-check":
		on, err := boolValue(value, hasValue)
		if name == "no-kamal" {
			b.noKamal = on
		} else {
			b.skipVersionCheck = on
		}
		return false, err
	case "output":
		if b.isEvidence() {
			v, used, err := takeValue()
			b.output = v
			return used, err
		}
	case "help":
		b.help = true
	case "json":
		b.json, _ = boolValue(value, hasValue)
	}
	b.forward = append(b.forward, a)
	// -c/--config takes a value even where it is not defined.
	if f := fs.long[name]; (name == "config" || f != nil && takesValue(f)) && !hasValue && next != nil {
		b.forward = append(b.forward, *next)
		return true, nil
	}
	return false, nil
}

// short reads a cluster of short flags, "-q", "-dNAME" or "-qd NAME", as
// kong does; it reports whether it used next as a flag's value.
func (b *bridgeArgs) short(a string, next *string, fs *flagSet) (usedNext bool, err error) {
	runes := []rune(a[1:])
	kept := "-"
	for j, r := range runes {
		tail := string(runes[j+1:])
		value, used := tail, false
		if tail == "" && next != nil {
			value, used = *next, true
		}
		switch {
		case r == 'd':
			if tail == "" && next == nil {
				return false, fmt.Errorf("-d needs a value")
			}
			b.destination = value
			b.keep(kept)
			return used, nil
		case r == 'c' && (tail != "" || next != nil) && isDeployFile(value):
			b.configFile = value
			b.keep(kept)
			return used, nil
		case r == 'o' && b.isEvidence():
			if tail == "" && next == nil {
				return false, fmt.Errorf("-o needs a value")
			}
			b.output = value
			b.keep(kept)
			return used, nil
		case r == 'h':
			b.help = true
		}
		kept += string(r)
		if f := fs.short[r]; r == 'c' || f != nil && takesValue(f) {
			b.keep(kept + tail)
			if used {
				b.forward = append(b.forward, value)
			}
			return used, nil
		}
	}
	b.keep(kept)
	return false, nil
}

// isEvidence reports whether the command is evidence.
func (b *bridgeArgs) isEvidence() bool { return len(b.command) > 0 && b.command[0] == "evidence" }

// keep forwards what is left of a short flag cluster.
func (b *bridgeArgs) keep(cluster string) {
	if cluster != "-" {
		b.forward = append(b.forward, cluster)
	}
}

// isDeployFile reports whether path is named like a Kamal deploy file:
// deploy.yml or deploy.NAME.yml.
func isDeployFile(path string) bool {
	base := filepath.Base(path)
	return base == "deploy.yml" || strings.HasPrefix(base, "deploy.") && strings.HasSuffix(base, ".yml")
}

// boolValue reads the value of a flag without one ("--x") or with one
// ("--x=false").
func boolValue(value string, hasValue bool) (bool, error) {
	if !hasValue {
		return true, nil
	}
	return strconv.ParseBool(value)
}

// flagSet indexes the flags in scope by long name, alias and short name.
type flagSet struct {
	long  map[string]*kong.Flag
	short map[rune]*kong.Flag
}

// add adds the flags of node.
func (fs *flagSet) add(node *kong.Node) {
	for _, f := range node.Flags {
		fs.long[f.Name] = f
		for _, a := range f.Aliases {
			fs.long[a] = f
		}
		if f.Short != 0 {
			fs.short[f.Short] = f
		}
	}
}

// takesValue reports whether f reads a value.
func takesValue(f *kong.Flag) bool { return !f.IsBool() && !f.IsCounter() }

// commandChild returns node's subcommand named name, or nil.
func commandChild(node *kong.Node, name string) *kong.Node {
	for _, c := range node.Children {
		if c.Type != kong.CommandNode {
			continue
		}
		if c.Name == name {
			return c
		}
		for _, alias := range c.Aliases {
			if alias == name {
				return c
			}
		}
	}
	return nil
}
