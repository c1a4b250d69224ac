package kamal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const kamalScript = "#!/bin/sh\nexit 0\n"

func TestFindFromSubdirectory(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": "service: app\n", "bin/kamal": kamalScript, "app/models/x.rb": ""})
	c, err := Find(filepath.Join(root, "app", "models"), FindOptions{LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	want := Checkout{Root: root, DeployFile: filepath.Join(root, "config/deploy.yml"), Accessory: "backup",
		Kamal: filepath.Join(root, "bin/kamal"), KamalName: "bin/kamal"}
	if *c != want {
		t.Errorf("Find = %+v\nwant %+v", *c, want)
	}
}

func TestFindNoCheckout(t *testing.T) {
	dir := t.TempDir()
	if _, err := Find(dir, FindOptions{LookupEnv: noEnv}); !errors.Is(err, ErrNoCheckout) {
		t.Errorf("Find = %v, want ErrNoCheckout", err)
	}
	_, err := Find(dir, FindOptions{Destination: "staging", LookupEnv: noEnv})
	if !errors.Is(err, ErrNoCheckout) || !strings.Contains(err.Error(), "destination staging") {
		t.Errorf("Find with -d = %v", err)
	}
}

func TestFindDestinationAndConfigFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"config/deploy.yml": "", "config/deploy.staging.yml": "", "config/deploy.staging.eu.yml": "",
		"config/deploy.production.yml": "", "bin/kamal": kamalScript, "sub/x": "",
	})
	cases := []struct {
		dir, config, dest string
		wantConfig        string
		wantErr           string
	}{
		{dir: ".", dest: "staging"},
		{dir: ".", dest: "production"},
		{dir: ".", dest: "qa", wantErr: "destination qa: kamal deploy file config/deploy.qa.yml not found"},
		{dir: ".", config: "config/deploy.staging.yml", wantConfig: "config/deploy.staging.yml"},
		{dir: "sub", config: "../config/deploy.staging.yml", wantConfig: "config/deploy.staging.yml"},
		{dir: ".", config: filepath.Join(root, "config/deploy.staging.yml"), wantConfig: "config/deploy.staging.yml"},
		{dir: ".", config: "config/deploy.staging.yml", dest: "eu", wantConfig: "config/deploy.staging.yml"},
		{dir: ".", config: "config/deploy.staging.yml", dest: "us", wantErr: "config/deploy.staging.us.yml not found"},
		{dir: ".", config: "config/deploy.nope.yml", wantErr: "kamal deploy file config/deploy.nope.yml not found"},
		{dir: ".", dest: "-c", wantErr: `invalid Kamal destination "-c"`},
		{dir: ".", dest: "../x", wantErr: "invalid Kamal destination"},
	}
	for _, tc := range cases {
		c, err := Find(filepath.Join(root, tc.dir), FindOptions{ConfigFile: tc.config, Destination: tc.dest, LookupEnv: noEnv})
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Find(%q, -c %q -d %q) = %v, want error %q", tc.dir, tc.config, tc.dest, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Find(%q, -c %q -d %q): %v", tc.dir, tc.config, tc.dest, err)
			continue
		}
		if c.Root != root || c.ConfigFile != tc.wantConfig || c.Destination != tc.dest {
			t.Errorf("Find(%q, -c %q -d %q) = %+v", tc.dir, tc.config, tc.dest, *c)
		}
	}
}

// TestFindConfigFileOnly: a checkout with only destination deploy files
// is found through -c, and Kamal runs in the starting directory.
func TestFindConfigFileOnly(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.staging.yml": "", "bin/kamal": kamalScript})
	if _, err := Find(root, FindOptions{LookupEnv: noEnv}); !errors.Is(err, ErrNoCheckout) {
		t.Fatalf("Find without -c = %v", err)
	}
	c, err := Find(root, FindOptions{ConfigFile: "config/deploy.staging.yml", LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if c.Root != root || c.ConfigFile != "config/deploy.staging.yml" || c.KamalName != "bin/kamal" {
		t.Errorf("Find = %+v", *c)
	}
}

func TestFindKamalInPath(t *testing.T) {
	root, bin, relBin := t.TempDir(), t.TempDir(), t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": "", "bin/kamal": "not executable"})
	writeFiles(t, bin, map[string]string{"kamal": kamalScript})
	writeFiles(t, relBin, map[string]string{"kamal": kamalScript})
	rel, err := filepath.Rel(root, relBin)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Find(root, FindOptions{LookupEnv: envOf("PATH", rel+string(os.PathListSeparator)+bin)})
	if err != nil {
		t.Fatal(err)
	}
	if c.Kamal != filepath.Join(bin, "kamal") || c.KamalName != "kamal" {
		t.Errorf("Find = %+v, want kamal from %s (relative PATH entries skipped)", *c, bin)
	}
}

func TestFindKamalMissing(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"config/deploy.yml": ""})
	_, err := Find(root, FindOptions{LookupEnv: envOf("PATH", t.TempDir())})
	if !errors.Is(err, ErrKamalNotFound) {
		t.Fatalf("Find = %v, want ErrKamalNotFound", err)
	}
	for _, want := range []string{"no executable bin/kamal in " + root, "no kamal in PATH", "--no-kamal"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestFindAccessoryName(t *testing.T) {
	cases := []struct {
		config string // config/kamal-backup.yml; "-" for none
		env    string
		want   string
		err    string
	}{
		{config: "-", want: "backup"},
		{config: "app: x\n", want: "backup"},
		{config: "app: x\naccessory: db-backup\n", want: "db-backup"},
		{config: "accessory: ''\n", want: "backup"},
		{config: "accessory: db-backup\n", env: "other", want: "other"},
		{config: "accessory: [a]\n", err: "accessory is not a string"},
		{config: "accessory: [\n", err: "read accessory name from"},
	}
	for _, tc := range cases {
		root := t.TempDir()
		files := map[string]string{"config/deploy.yml": "", "bin/kamal": kamalScript}
		if tc.config != "-" {
			files["config/kamal-backup.yml"] = tc.config
		}
		writeFiles(t, root, files)
		env := noEnv
		if tc.env != "" {
			env = envOf(AccessoryEnv, tc.env)
		}
		c, err := Find(root, FindOptions{LookupEnv: env})
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("config %q: Find = %v, want error %q", tc.config, err, tc.err)
			}
		case err != nil:
			t.Errorf("config %q: %v", tc.config, err)
		case c.Accessory != tc.want:
			t.Errorf("config %q env %q: accessory %q, want %q", tc.config, tc.env, c.Accessory, tc.want)
		}
	}
}

// TestFindAccessoryNextToConfigFile: with -c, kamal-backup.yml is read
// next to the named deploy file.
func TestFindAccessoryNextToConfigFile(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"deploy/staging.yml": "", "deploy/kamal-backup.yml": "accessory: kb\n", "bin/kamal": kamalScript})
	c, err := Find(root, FindOptions{ConfigFile: "deploy/staging.yml", LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if c.Accessory != "kb" {
		t.Errorf("accessory %q", c.Accessory)
	}
}

func TestPlaceOf(t *testing.T) {
	cases := map[string]Place{
		"backup": Accessory, "list": Accessory, "check": Accessory, "unlock": Accessory, "prune": Accessory,
		"evidence": Accessory, "validate": Accessory, "version": Accessory,
		"restore production": AccessoryInteractive, "drill production": AccessoryInteractive,
		"restore local": Here, "drill local": Here, "restore": Here, "init": Here, "schedule": Here,
		"repo snapshots": Here, "repo backup": Here, "": Here, "nonsense": Here,
	}
	for words, want := range cases {
		if got := PlaceOf(strings.Fields(words)...); got != want {
			t.Errorf("PlaceOf(%q) = %v, want %v", words, got, want)
		}
	}
}

func TestInAccessory(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "yes": true, "": false, "0": false, "false": false, "No": false} {
		if got := InAccessory(envOf(InAccessoryEnv, v)); got != want {
			t.Errorf("InAccessory(%q) = %v", v, got)
		}
	}
	if InAccessory(noEnv) {
		t.Error("InAccessory with the variable unset")
	}
}
