package kamal

import "strings"

// ExecArgs returns the arguments of the kamal executable that run
// kamal-backup with args on the accessory, in the running container
// (--reuse: the scheduler's container, with its environment and volumes):
//
//	accessory exec [-c CONFIG] [-d DEST] --reuse --quiet NAME "kamal-backup ARGS..."
//
// --quiet keeps Kamal's own log lines out of standard output, which then
// holds the command's output (Kamal 2 prints it when the command ends).
// With interactive, --interactive replaces --quiet: Kamal runs the
// command over "ssh -t" with "docker exec -it", streaming it and passing
// the terminal through for prompts; that needs a terminal on stdin.
func (c *Checkout) ExecArgs(args []string, interactive bool) []string {
	out := append([]string{"accessory", "exec"}, c.kamalOptions()...)
	out = append(out, "--reuse")
	if interactive {
		out = append(out, "--interactive")
	} else {
		out = append(out, "--quiet")
	}
	return append(out, c.Accessory, Command(args))
}

// kamalOptions returns Kamal's -c and -d options for the checkout.
func (c *Checkout) kamalOptions() []string {
	var out []string
	if c.ConfigFile != "" {
		out = append(out, "-c", c.ConfigFile)
	}
	if c.Destination != "" {
		out = append(out, "-d", c.Destination)
	}
	return out
}

// RebootCommand returns the command that reboots the accessory onto the
// image its deploy file names, for messages:
// "bin/kamal accessory reboot backup -d staging".
func (c *Checkout) RebootCommand() string {
	words := append([]string{c.KamalName, "accessory", "reboot", c.Accessory}, c.kamalOptions()...)
	for i, w := range words {
		words[i] = Quote(w)
	}
	return strings.Join(words, " ")
}
