package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSecretSources resolves each kind of secret reference.
func TestSecretSources(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw")
	if err := os.WriteFile(pwFile, []byte("  file-password\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withPassword := func(ref string) string {
		return strings.Replace(validBase, "password: {secret: RESTIC_PASSWORD}", "password: "+ref, 1)
	}
	env := baseEnv()
	delete(env, "RESTIC_PASSWORD")
	env["OTHER"] = " env password with spaces "
	ran := 0
	stub := func(cmd string) (string, error) {
		ran++
		switch cmd {
		case "print":
			return "command-password\n", nil
		case "fail":
			return "", errors.New("exit status 3")
		}
		return "  \n", nil
	}
	cases := []struct {
		ref, want, problem string
	}{
		{ref: "{secret: OTHER}", want: " env password with spaces "},
		{ref: "{file: " + pwFile + "}", want: "file-password"},
		{ref: "{command: print}", want: "command-password"},
		{ref: "{command: fail}", problem: "restic.password: password command failed: exit status 3"},
		{ref: "{command: silent}", problem: "restic.password: password command printed nothing"},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			cfg, err := loadYAML(t, withPassword(tc.ref), env, LoadOptions{RunCommand: stub})
			if tc.problem != "" {
				if got := errorLines(err); !slices.Equal(got, []string{tc.problem}) {
					t.Errorf("problems %q, want %q", got, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.RepositoryPassword().Reveal(); got != tc.want {
				t.Errorf("password %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("default command runner", func(t *testing.T) {
		cfg := mustLoad(t, withPassword(`{command: "printf 'from sh\n'"}`), env, LoadOptions{})
		if got := cfg.RepositoryPassword().Reveal(); got != "from sh" {
			t.Errorf("password %q", got)
		}
		_, err := loadYAML(t, withPassword(`{command: "exit 4"}`), env, LoadOptions{})
		if got := errorLines(err); !slices.Equal(got, []string{"restic.password: password command failed: exit status 4"}) {
			t.Errorf("problems %q", got)
		}
	})

	t.Run("shape only reads nothing", func(t *testing.T) {
		ran = 0
		y := strings.Replace(withPassword("{command: fail}"), "{secret: DB_PASSWORD}", "{file: /nonexistent}", 1)
		y += "  repository_file: /nonexistent\npaths: [/nonexistent]\n"
		y = strings.Replace(y, "  repository: /srv/repo\n", "", 1)
		cfg, err := loadYAML(t, y, fakeEnv{}, LoadOptions{ShapeOnly: true, RunCommand: stub})
		if err != nil {
			t.Fatal(err)
		}
		if ran != 0 || !cfg.RepositoryPassword().IsZero() || !cfg.Repository().IsZero() {
			t.Errorf("secrets were read: %d commands", ran)
		}
	})

	t.Run("REST credentials", func(t *testing.T) {
		y := validBase + "  rest: {user: backup, password: {secret: REST_PW}}\n"
		env := baseEnv()
		env["REST_PW"] = "rest-password-2"
		cfg := mustLoad(t, y, env, LoadOptions{})
		if cfg.Restic.RESTUsername.Reveal() != "backup" || cfg.Restic.RESTPassword.Reveal() != "rest-password-2" {
			t.Errorf("REST credentials %q", []string{cfg.Restic.RESTUsername.Reveal(), cfg.Restic.RESTPassword.Reveal()})
		}
		_, err := loadYAML(t, validBase+"  rest: {username: backup, password: rest-password-3}\n", baseEnv(), LoadOptions{})
		want := "restic.rest.password: a secret written in the file is not accepted (write password: {secret: ENV_NAME} or {file: PATH}, and keep the value in Kamal secrets)"
		if got := errorLines(err); len(got) != 1 || !strings.HasSuffix(got[0], want) {
			t.Errorf("problems %q", got)
		}
		noSecret(t, []string{"rest-password-3"}, err.Error())
	})
}

// TestSecretsNeverShown puts random secrets in every place a secret can
// be configured, in configurations that load and in configurations full
// of mistakes, and checks that no error, warning, summary or formatting of
// the Config shows any of them.
func TestSecretsNeverShown(t *testing.T) {
	for i := range 40 {
		s := make([]string, 9)
		for j := range s {
			s[j] = randomSecret(t)
		}
		if i%4 == 1 {
			s[0] = `p"a\ss'wörd$` + s[0] // a JSON- and shell-unfriendly password
		}
		dir := t.TempDir()
		pwFile := filepath.Join(dir, "restic-password")
		if err := os.WriteFile(pwFile, []byte(s[2]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		env := fakeEnv{"DB_PASSWORD": s[0], "QUEUE_URL": "postgres://queue:" + s[1] + "@db/queue",
			"REST_PW": s[3], "MYSQL_PWD": s[4]}
		good := fmt.Sprintf(`app: shop
databases:
  - {name: app, adapter: postgres, url: 'postgres://shop:%s@db:5432/shop', password: {secret: DB_PASSWORD}}
  - {name: queue, adapter: postgresql, url: {secret: QUEUE_URL}}
  - {name: stats, adapter: mariadb, url: 'mysql://stats@db/stats'}
restic:
  repository: 'rest:https://backup:%s@backup.example.com/shop?token=%s'
  password: {file: %s}
  rest: {username: backup, password: {secret: REST_PW}}
`, s[5], s[6], s[7], pwFile)
		cfg, err := LoadConfig(configDir(t, dir, good, ""), env.lookup, LoadOptions{})
		if err != nil {
			t.Fatalf("LoadConfig: %v", err)
		}
		js, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := json.MarshalIndent(cfg.Summary(), "", " ")
		if err != nil {
			t.Fatal(err)
		}
		// Break it after loading: Validate must not show secrets either.
		cfg.App = ""
		cfg.Paths = []PathConfig{{Path: "/"}}
		cfg.databases[0].Adapter = "mysql"
		verr := cfg.Validate()
		if verr == nil {
			t.Fatal("Validate found no problem")
		}
		noSecret(t, s, string(js), string(sum), verr.Error(), strings.Join(cfg.Warnings, "\n"), cfg.RepositoryDisplay(),
			fmt.Sprintf("%v|%+v|%#v|%v", cfg, cfg, cfg, *cfg), fmt.Sprintf("%v|%+v|%#v", cfg.Databases(), cfg.Databases(), cfg.Restic))
		for _, x := range s[:8] {
			if got := cfg.Redactor().Redact("<" + x + ">"); strings.Contains(got, x) {
				t.Errorf("the redactor does not know secret %d %q: %q", slices.Index(s, x), x, got)
			}
		}

		// The same secrets in a configuration full of mistakes.
		bad := fmt.Sprintf(`app: [shop]
restic_password: %s
pasword: %s
databases:
  - {name: app, adapter: postgres, url: 'mysql2://shop:%s@db/shop', password: %s}
  - {name: queue, adapter: postgres, url: {secret: QUEUE_URL}, password: {secret: EMPTY}}
  - {name: x, adapter: oracle, url: '%s'}
restic:
  repository: {secret: %s}
  password: {file: %s/nope}
  rest: {password: %s}
notify: {webhook: 'https://hooks.example.com/%s'}
backup: {schedule: weekly}
`, s[0], s[1], s[2], s[3], s[4], s[8], dir, s[5], s[6])
		env2 := fakeEnv{"QUEUE_URL": "mysql://queue:" + s[7] + "@db/queue", "DATABASE_URL": "pg:" + s[7], "EMPTY": " "}
		_, err = loadYAML(t, bad, env2, LoadOptions{})
		if err == nil {
			t.Fatal("no error")
		}
		fieldErrors(t, err)
		noSecret(t, s, err.Error(), fmt.Sprintf("%#v", err))
		if !strings.Contains(err.Error(), "restic.repository: environment variable [REDACTED] is empty or unset") {
			t.Errorf("no error for the repository's secret:\n%v", err)
		}

		// Shown without reading the machine's secrets, a value written
		// where a variable's name belongs stays hidden too.
		shape := strings.Replace(good, "{secret: REST_PW}", "{secret: "+s[8]+"}", 1)
		cfg, err = loadYAML(t, shape, fakeEnv{}, LoadOptions{ShapeOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		js, err = json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		noSecret(t, s[8:], string(js))
	}
}
