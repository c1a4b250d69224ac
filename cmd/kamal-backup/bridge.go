package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kamal-backup/kamal-backup/internal/cli"
	"github.com/kamal-backup/kamal-backup/internal/kamal"
	"github.com/kamal-backup/kamal-backup/redact"
)

// kamalFlags are the Kamal bridge's flags. The bridge reads them itself,
// before kong; embedded in CLI they are listed in --help, and commands
// that run here accept and ignore them.
type kamalFlags struct {
	Destination      string `short:"d" name:"destination" placeholder:"NAME" help:"Kamal destination, as kamal -d: from an app checkout, run the command on that destination's backup accessory (config/deploy.NAME.yml)."`
	ConfigFile       string `name:"config-file" placeholder:"FILE" help:"Kamal deploy file, as kamal -c (default config/deploy.yml); -c FILE means the same when FILE is named deploy.yml or deploy.NAME.yml."`
	NoKamal          bool   `name:"no-kamal" help:"Run the command here, even from an app checkout where it would run on the accessory through Kamal."`
	SkipVersionCheck bool   `name:"skip-version-check" help:"Run the command on the accessory even when it runs another kamal-backup version."`
}

// bridgeSetup is what the bridge takes from the process besides run's
// arguments, so that tests can choose it.
type bridgeSetup struct {
	dir      string // the working directory
	terminal bool   // stdin is a terminal
}

// bridge runs the command on the accessory through Kamal when it belongs
// there: started from an app checkout (config/deploy.yml here or in a
// parent, or -d/-c given), not inside the accessory, without --no-kamal
// (see the kamal package for which commands). It reports whether it
// handled the command, and then the exit status; otherwise run parses
// and runs the command here.
func bridge(ctx context.Context, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) (handled bool, code int) {
	dir, err := os.Getwd()
	if err != nil {
		return false, exitOK
	}
	return runBridge(ctx, bridgeSetup{dir: dir, terminal: isTerminalReader(stdin)}, args, env, stdin, stdout, stderr)
}

// runBridge is bridge with the working directory and terminal given.
func runBridge(ctx context.Context, setup bridgeSetup, args []string, env func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) (bool, int) {
	parser, err := newParser(&CLI{}, env, io.Discard, io.Discard)
	if err != nil {
		return false, exitOK
	}
	ba, err := parseBridgeArgs(args, parser.Model.Node)
	if err != nil || ba.help || ba.noKamal || kamal.InAccessory(env) {
		return false, exitOK // kong reports the malformed flag
	}
	place := kamal.PlaceOf(ba.command...)
	if place == kamal.Here {
		return false, exitOK
	}
	co, err := kamal.Find(setup.dir, kamal.FindOptions{ConfigFile: ba.configFile, Destination: ba.destination, LookupEnv: env})
	if errors.Is(err, kamal.ErrNoCheckout) && ba.configFile == "" && ba.destination == "" {
		return false, exitOK
	}

	red := &cli.Redactor{}
	addEnvSecrets(red, env)
	errw := red.Writer(stderr)
	defer errw.Close()
	terminal := isTerminal(stderr)
	g := &Globals{JSON: ba.json, terminal: terminal, log: newLogger(errw, terminal, false)}
	if err == nil {
		r := &kamal.Runner{Checkout: co, Stdin: stdin, Stdout: stdout, Stderr: errw, Redactor: bridgeRedactor(env)}
		err = runRemote(ctx, r, ba, setup.dir, place == kamal.AccessoryInteractive && setup.terminal)
	}
	var ee *kamal.ExitError
	switch {
	case err == nil:
		return true, exitOK
	case errors.As(err, &ee) && ee.Err == nil && ee.Code > 0:
		return true, ee.Code // Kamal has said why
	}
	writeFatal(g, errw, err, exitError)
	return true, exitError
}

// runRemote checks the accessory's version, unless told not to, and runs
// the command there. "version" prints both versions instead, as the
// Ruby kamal-backup does; "version --json" prints the accessory's.
// "evidence -o FILE" writes FILE here (relative to dir), not in the
// accessory.
func runRemote(ctx context.Context, r *kamal.Runner, ba *bridgeArgs, dir string, interactive bool) error {
	isVersion := ba.command[0] == "version"
	if isVersion && !ba.json {
		return printVersions(ctx, r)
	}
	if err := r.CheckArgs(ba.forward); err != nil {
		return err
	}
	if !ba.skipVersionCheck && !isVersion {
		if err := r.CheckVersion(ctx, programVersion()); err != nil {
			return err
		}
	}
	if ba.output != "" {
		path := ba.output
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		return execToFile(ctx, r, ba.forward, path)
	}
	return r.Exec(ctx, ba.forward, interactive)
}

// execToFile runs args on the accessory with its standard output going
// to the file at path, which is replaced only when the command succeeds.
func execToFile(ctx context.Context, r *kamal.Runner, args []string, path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename, there is nothing left to remove
	rr := *r
	rr.Stdout = f
	err = rr.Exec(ctx, args, false)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("write output: %w", cerr)
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	return err
}

// printVersions prints this program's version and the accessory's, and
// how to bring them in line when they differ.
func printVersions(ctx context.Context, r *kamal.Runner) error {
	remote, err := r.RemoteVersions(ctx)
	if err != nil {
		return err
	}
	local, status := programVersion(), "in sync"
	for _, v := range remote {
		if !kamal.SameVersion(local, v) {
			status = "out of sync"
		}
	}
	out := fmt.Sprintf("local: %s\nremote: %s\nstatus: %s\n", local, strings.Join(remote, ", "), status)
	if status != "in sync" {
		out += "fix: " + r.Checkout.RebootCommand() + "\n"
	}
	_, err = io.WriteString(r.Stdout, out)
	return err
}

// bridgeRedactor returns the redactor of kamal's standard error, which
// also refuses arguments holding a secret.
func bridgeRedactor(env func(string) (string, bool)) *redact.Redactor {
	r := &redact.Redactor{}
	for _, name := range secretEnv {
		if v, ok := env(name); ok {
			r.Add(v)
		}
	}
	return r
}

// isTerminalReader reports whether r is a terminal.
func isTerminalReader(r io.Reader) bool {
	w, ok := r.(*os.File)
	return ok && isTerminal(w)
}
