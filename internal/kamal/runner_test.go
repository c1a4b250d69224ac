package kamal

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kamal-backup/kamal-backup/redact"
)

// TestExecArgv checks the exact kamal command line of each remote
// command, with and without -c and -d.
func TestExecArgv(t *testing.T) {
	f := newFakeCheckout(t, "1.0.0", false, map[string]string{
		"config/deploy.staging.yml": "", "config/deploy.other.yml": "", "config/deploy.other.staging.yml": "",
	})
	type opts struct{ config, dest string }
	prefix := map[opts][]string{
		{}:                                  {"accessory", "exec", "--reuse"},
		{dest: "staging"}:                   {"accessory", "exec", "-d", "staging", "--reuse"},
		{config: "config/deploy.other.yml"}: {"accessory", "exec", "-c", "config/deploy.other.yml", "--reuse"},
		{config: "config/deploy.other.yml", dest: "staging"}: {"accessory", "exec", "-c", "config/deploy.other.yml", "-d", "staging", "--reuse"},
	}
	commands := [][]string{{"backup"}, {"backup", "--force"}, {"list", "--json"}, {"check"}, {"unlock"},
		{"prune"}, {"evidence", "--format", "markdown"}, {"validate"}, {"version"}}
	for o, pre := range prefix {
		c, err := Find(f.root, FindOptions{ConfigFile: o.config, Destination: o.dest, LookupEnv: noEnv})
		if err != nil {
			t.Fatal(err)
		}
		for _, args := range commands {
			before := len(f.calls(t, "kamal.args"))
			var out, errOut bytes.Buffer
			r := &Runner{Checkout: c, Stdout: &out, Stderr: &errOut}
			if err := r.Exec(t.Context(), args, false); err != nil {
				t.Fatalf("%q: %v", args, err)
			}
			calls := f.calls(t, "kamal.args")
			want := append(slices.Clone(pre), "--quiet", "backup", "kamal-backup "+strings.Join(args, " "))
			if len(calls) != before+1 || !slices.Equal(calls[before], want) {
				t.Errorf("-c %q -d %q %q: kamal ran with\n%q\nwant\n%q", o.config, o.dest, args, calls[before:], want)
			}
			remote := f.calls(t, "remote.args")
			if !slices.Equal(remote[len(remote)-1], args) {
				t.Errorf("%q: the accessory ran kamal-backup %q", args, remote[len(remote)-1])
			}
			if out.String() != "remote out: "+args[0]+"\n" || errOut.String() != "remote err: "+args[0]+"\n" {
				t.Errorf("%q: stdout %q, stderr %q", args, out.String(), errOut.String())
			}
		}
	}
	if pwd, _ := os.ReadFile(filepath.Join(f.log, "kamal.pwd")); strings.TrimSpace(string(pwd)) != f.root {
		t.Errorf("kamal ran in %s, want the checkout %s", pwd, f.root)
	}
}

func TestExecInteractiveArgv(t *testing.T) {
	f := newFakeCheckout(t, "1.0.0", false, map[string]string{"config/deploy.staging.yml": ""})
	c, err := Find(f.root, FindOptions{Destination: "staging", LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	r := &Runner{Checkout: c, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out}
	args := []string{"restore", "production", "latest"}
	if err := r.Exec(t.Context(), args, true); err != nil {
		t.Fatal(err)
	}
	want := []string{"accessory", "exec", "-d", "staging", "--reuse", "--interactive", "backup", "kamal-backup restore production latest"}
	if calls := f.calls(t, "kamal.args"); len(calls) != 1 || !slices.Equal(calls[0], want) {
		t.Errorf("kamal ran with %q, want %q", calls, want)
	}
	if !strings.Contains(out.String(), "remote out: restore") {
		t.Errorf("output %q", out.String())
	}
}

// TestExecTrickyArguments: arguments reach kamal-backup on the accessory
// unchanged, through the server's shell, and nothing in them runs,
// neither there nor in Kamal's audit line.
func TestExecTrickyArguments(t *testing.T) {
	f := newFakeCheckout(t, "1.0.0", false, nil)
	c, err := Find(f.root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	pwned := filepath.Join(f.log, "PWNED")
	args := append([]string{"drill", "production", "--check"}, trickyArgs...)
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "PWNED", pwned)
	}
	for _, interactive := range []bool{false, true} {
		r := &Runner{Checkout: c}
		if err := r.Exec(t.Context(), args, interactive); err != nil {
			t.Fatal(err)
		}
		remote := f.calls(t, "remote.args")
		if got := remote[len(remote)-1]; !slices.Equal(got, args) {
			t.Errorf("interactive %v: the accessory got\n%q\nwant\n%q", interactive, got, args)
		}
		if _, err := os.Stat(pwned); err == nil {
			t.Fatalf("interactive %v: a command in an argument ran", interactive)
		}
	}
	audit, _ := os.ReadFile(filepath.Join(f.log, "audit.log"))
	if !strings.Contains(string(audit), "Executed cmd kamal-backup drill production --check") {
		t.Errorf("audit log:\n%s", audit)
	}
}

func TestExecExitStatus(t *testing.T) {
	f := newFakeCheckout(t, "1.0.0", false, nil)
	c, err := Find(f.root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	f.setExit(t, "11")
	for _, interactive := range []bool{false, true} {
		err := (&Runner{Checkout: c}).Exec(t.Context(), []string{"unlock"}, interactive)
		var ee *ExitError
		if !errors.As(err, &ee) || ee.Code != 11 || ee.Err != nil || err.Error() != "bin/kamal exited with status 11" {
			t.Errorf("interactive %v: Exec = %v (%#v)", interactive, err, ee)
		}
	}
}

func TestExecRefusesSecretArguments(t *testing.T) {
	f := newFakeCheckout(t, "1.0.0", false, nil)
	c, err := Find(f.root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var red redact.Redactor
	red.Add("hunter2-restic")
	cases := [][]string{
		{"drill", "production", "--check", "psql postgres://app:s3cret@db/app -c 'select 1'"},
		{"list", "--tag", "hunter2-restic"},
	}
	for _, args := range cases {
		for _, interactive := range []bool{false, true} {
			err := (&Runner{Checkout: c, Redactor: &red}).Exec(t.Context(), args, interactive)
			if !errors.Is(err, ErrSecretArgument) || strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("%q: Exec = %v", args, err)
			}
		}
	}
	if calls := f.calls(t, "kamal.args"); len(calls) != 0 {
		t.Errorf("kamal ran: %q", calls)
	}
}

func TestExecCancel(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": "", "bin/kamal": "#!/bin/sh\nexec sleep 60\n"})
	c, err := Find(root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	for _, interactive := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		start := time.Now()
		err := (&Runner{Checkout: c}).Exec(ctx, []string{"backup"}, interactive)
		cancel()
		var ee *ExitError
		if !errors.As(err, &ee) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("interactive %v: Exec = %v", interactive, err)
		}
		if el := time.Since(start); el > 4*time.Second {
			t.Errorf("interactive %v: Exec returned after %v", interactive, el)
		}
	}
}

func TestExecKamalStderrRedacted(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": "",
		"bin/kamal": "#!/bin/sh\necho 'ERROR (SSHKit::Command::Failed): RESTIC_PASSWORD=hunter2-restic in output' >&2\nexit 1\n"})
	c, err := Find(root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	var red redact.Redactor
	red.Add("hunter2-restic")
	var errOut bytes.Buffer
	err = (&Runner{Checkout: c, Stderr: &errOut, Redactor: &red}).Exec(t.Context(), []string{"check"}, false)
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Code != 1 {
		t.Errorf("Exec = %v", err)
	}
	if strings.Contains(errOut.String(), "hunter2") || !strings.Contains(errOut.String(), "SSHKit::Command::Failed") {
		t.Errorf("stderr %q", errOut.String())
	}
}
