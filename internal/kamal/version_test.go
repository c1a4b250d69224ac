package kamal

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseVersions(t *testing.T) {
	cases := map[string][]string{
		`{"message_type":"version","version":"1.2.0","go_version":"go1.26.0"}` + "\n\n":    {"1.2.0"},
		"App Host: 10.0.0.1\n{\"message_type\":\"version\",\"version\":\"v1.2.0\"}\n\n":    {"v1.2.0"},
		"App Host: a\n{\"version\":\"1.2.0\"}\n\nApp Host: b\n{\"version\":\"1.1.0\"}\n\n": {"1.2.0", "1.1.0"},
		"kamal-backup 1.2.0\n":          {"1.2.0"},
		"1.0.0.rc1\n":                   {"1.0.0.rc1"},
		"Launching command...\n1.0.0\n": {"1.0.0"},
		"":                              nil,
		"App Host: 10.0.0.1\n":          nil,
		"{\"message_type\":\"exit_error\",\"code\":1}\n": nil,
		"kamal-backup: error: unknown flag --json\n":     nil,
		"{not json\n": nil,
	}
	for out, want := range cases {
		if got := parseVersions(out); !slices.Equal(got, want) {
			t.Errorf("parseVersions(%q) = %q, want %q", out, got, want)
		}
	}
}

func TestCheckVersion(t *testing.T) {
	f := newFakeCheckout(t, "1.2.0", true, map[string]string{"config/deploy.staging.yml": ""})
	c, err := Find(f.root, FindOptions{Destination: "staging", LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Checkout: c}
	versions, err := r.RemoteVersions(t.Context())
	if err != nil || !slices.Equal(versions, []string{"1.2.0"}) {
		t.Fatalf("RemoteVersions = %q, %v", versions, err)
	}
	want := []string{"accessory", "exec", "-d", "staging", "--reuse", "--quiet", "backup", "kamal-backup version --json"}
	if calls := f.calls(t, "kamal.args"); !slices.Equal(calls[0], want) {
		t.Errorf("version probe ran kamal with %q, want %q", calls[0], want)
	}
	for _, local := range []string{"1.2.0", "v1.2.0"} {
		if err := r.CheckVersion(t.Context(), local); err != nil {
			t.Errorf("CheckVersion(%s) = %v", local, err)
		}
	}
	err = r.CheckVersion(t.Context(), "1.3.0")
	var vm *VersionMismatchError
	if !errors.As(err, &vm) || vm.Local != "1.3.0" || vm.Remote != "1.2.0" || vm.Accessory != "backup" {
		t.Fatalf("CheckVersion(1.3.0) = %v", err)
	}
	for _, s := range []string{"kamal-backup here is 1.3.0 but the backup accessory runs 1.2.0",
		"bin/kamal accessory reboot backup -d staging", "--skip-version-check"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not say %q", err, s)
		}
	}
}

func TestCheckVersionSeveralHosts(t *testing.T) {
	c := &Checkout{Accessory: "backup", KamalName: "kamal"}
	if err := c.compareVersions("1.2.0", []string{"1.2.0", "1.2.0"}); err != nil {
		t.Error(err)
	}
	var vm *VersionMismatchError
	if err := c.compareVersions("1.2.0", []string{"1.2.0", "1.1.0"}); !errors.As(err, &vm) || vm.Remote != "1.1.0" {
		t.Errorf("compareVersions = %v", err)
	}
}

func TestRemoteVersionsFailure(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": "", "bin/kamal": "#!/bin/sh\necho 'no version here'\n"})
	c, err := Find(root, FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&Runner{Checkout: c}).RemoteVersions(t.Context())
	if err == nil || !strings.Contains(err.Error(), "no version in the output of bin/kamal") {
		t.Errorf("RemoteVersions = %v", err)
	}
	writeFiles(t, root, map[string]string{"bin/kamal": "#!/bin/sh\necho 'ERROR: No accessory by the name of backup' >&2; exit 1\n"})
	_, err = (&Runner{Checkout: c}).RemoteVersions(t.Context())
	var ee *ExitError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "read the backup accessory's kamal-backup version: bin/kamal exited with status 1") {
		t.Errorf("RemoteVersions = %v", err)
	}
}
