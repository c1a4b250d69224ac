package backup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/redact"
)

// plainAdapter is a stubAdapter without CheckTools, so Validate looks
// for the built-in adapter's tools.
type plainAdapter struct{ Adapter }

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, f *runFixture)
		want  []string // "check: subject" of each problem, subject prefix only
	}{
		{"all good", func(*testing.T, *runFixture) {}, nil},
		{"absent repository with init_if_missing", func(t *testing.T, f *runFixture) {
			f.repoDir = filepath.Join(f.dir, "missing")
			f.cfg.Restic.Repository = redact.NewSecret(f.repoDir)
			f.cfg.Restic.InitIfMissing = true
		}, nil},
		{"absent repository", func(t *testing.T, f *runFixture) {
			f.cfg.Restic.Repository = redact.NewSecret(filepath.Join(f.dir, "missing"))
		}, []string{"repository: "}},
		{"wrong password", func(t *testing.T, f *runFixture) {
			f.cfg.Restic.Password = redact.NewSecret("wrong-password-1234")
		}, []string{"repository: "}},
		{"unknown adapter", func(t *testing.T, f *runFixture) {
			f.runner.Adapters = Registry{}
		}, []string{"adapter: app", "adapter: queue"}},
		{"missing tools", func(t *testing.T, f *runFixture) {
			t.Setenv("PATH", t.TempDir())
			f.runner.Adapters = NewRegistry(plainAdapter{f.adapter})
			if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_dump"); len(m) > 0 {
				t.Skip("PostgreSQL client tools are installed outside PATH")
			}
		}, []string{"tool: app", "tool: queue"}},
		{"tools on PATH", func(t *testing.T, f *runFixture) {
			dir := t.TempDir()
			for _, tool := range []string{"pg_dump", "pg_restore", "psql"} {
				if err := os.WriteFile(filepath.Join(dir, tool), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			f.runner.Adapters = NewRegistry(plainAdapter{f.adapter})
		}, nil},
		{"state dir not writable", func(t *testing.T, f *runFixture) {
			file := filepath.Join(f.dir, "a-file")
			if err := os.WriteFile(file, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			f.cfg.State.Path = filepath.Join(file, "state")
		}, []string{"state: "}},
		{"invalid config", func(t *testing.T, f *runFixture) {
			f.cfg.App = ""
		}, []string{"config: app"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRunFixture(t, fixtureOptions{})
			tt.setup(t, f)
			problems := f.runner.Validate(t.Context())
			if len(problems) != len(tt.want) {
				t.Fatalf("problems %v, want %v", problems, tt.want)
			}
			for i, p := range problems {
				if !strings.HasPrefix(p.Check+": "+p.Subject, tt.want[i]) || p.Message == "" {
					t.Errorf("problem %d is %q, want %s...", i, p, tt.want[i])
				}
				noRunSecret(t, p.String())
			}
			if _, err := os.Stat(filepath.Join(f.dir, "missing")); !os.IsNotExist(err) {
				t.Errorf("Validate created the repository: %v", err)
			}
		})
	}
}

func TestCheckToolsLooksInTheToolsPath(t *testing.T) {
	a := plainAdapter{newStubAdapter("mysql", "sql")}
	empty := t.TempDir()
	err := checkTools(t.Context(), a, Database{Name: "stats", Env: []string{"PATH=" + empty}})
	if err == nil || !strings.Contains(err.Error(), "mariadb-dump or mysqldump") || !strings.Contains(err.Error(), "mariadb or mysql") {
		t.Fatalf("checkTools with an empty PATH: %v", err)
	}
	for _, tool := range []string{"mysqldump", "mariadb"} {
		if err := os.WriteFile(filepath.Join(empty, tool), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := checkTools(t.Context(), a, Database{Name: "stats", Env: []string{"PATH=" + empty}}); err != nil {
		t.Fatalf("checkTools with the tools installed: %v", err)
	}
}
