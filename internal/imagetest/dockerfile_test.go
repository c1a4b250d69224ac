package imagetest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction.
type instruction struct {
	line int    // line of its first line, from 1
	cmd  string // the keyword, upper-cased: FROM, RUN, ...
	args string // the rest, continuation lines joined with a space
}

// stage is one FROM and the instructions up to the next.
type stage struct {
	from  instruction
	image string // the base image (or an earlier stage's name)
	name  string // the AS name; "" for none
	body  []instruction
}

// dockerfile is a parsed Dockerfile: the ARGs before the first FROM and
// the stages.
type dockerfile struct {
	globalArgs []instruction
	stages     []stage
}

// parseDockerfile splits a Dockerfile into instructions the simple way the
// checks need: comment lines are dropped (also inside a continued
// instruction, as Docker does), lines ending in a backslash are joined,
// heredocs are not supported.
func parseDockerfile(t testing.TB, text string) dockerfile {
	t.Helper()
	var df dockerfile
	var cur *instruction
	for i, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.Contains(line, "<<") && regexp.MustCompile(`<<-?["']?[A-Z]+`).MatchString(line) {
			t.Fatalf("line %d: heredocs are not supported by these checks", i+1)
		}
		body, continued := strings.CutSuffix(strings.TrimRight(line, " \t"), "\\")
		if cur == nil {
			keyword, rest, _ := strings.Cut(strings.TrimSpace(body), " ")
			cur = &instruction{line: i + 1, cmd: strings.ToUpper(keyword), args: strings.TrimSpace(rest)}
		} else {
			cur.args = strings.TrimSpace(cur.args + " " + strings.TrimSpace(body))
		}
		if continued {
			continue
		}
		df.add(t, *cur)
		cur = nil
	}
	if cur != nil {
		t.Fatalf("line %d: the last instruction ends with a continuation", cur.line)
	}
	return df
}

func (df *dockerfile) add(t testing.TB, in instruction) {
	t.Helper()
	if in.cmd != "FROM" {
		if len(df.stages) == 0 {
			if in.cmd != "ARG" {
				t.Fatalf("line %d: %s before the first FROM", in.line, in.cmd)
			}
			df.globalArgs = append(df.globalArgs, in)
			return
		}
		s := &df.stages[len(df.stages)-1]
		s.body = append(s.body, in)
		return
	}
	var words []string
	for _, w := range strings.Fields(in.args) {
		if !strings.HasPrefix(w, "--") {
			words = append(words, w)
		}
	}
	s := stage{from: in}
	switch {
	case len(words) == 1:
		s.image = words[0]
	case len(words) == 3 && strings.EqualFold(words[1], "AS"):
		s.image, s.name = words[0], words[2]
	default:
		t.Fatalf("line %d: FROM %s: want IMAGE [AS NAME]", in.line, in.args)
	}
	df.stages = append(df.stages, s)
}

// all returns the stage's instructions with keyword cmd.
func (s stage) all(cmd string) []instruction {
	var out []instruction
	for _, in := range s.body {
		if in.cmd == cmd {
			out = append(out, in)
		}
	}
	return out
}

// last returns the stage's last instruction with keyword cmd.
func (s stage) last(t testing.TB, cmd string) instruction {
	t.Helper()
	all := s.all(cmd)
	if len(all) == 0 {
		t.Fatalf("stage %q (line %d) has no %s", s.name, s.from.line, cmd)
	}
	return all[len(all)-1]
}

// execForm decodes an exec-form (JSON array) ENTRYPOINT or CMD.
func execForm(t testing.TB, in instruction) []string {
	t.Helper()
	var argv []string
	if err := json.Unmarshal([]byte(in.args), &argv); err != nil {
		t.Fatalf("line %d: %s %s is not in exec form (a JSON array): %v", in.line, in.cmd, in.args, err)
	}
	return argv
}

// argDefault returns the default value of the stage's ARG name, unquoted.
func (s stage) argDefault(name string) (string, bool) {
	for _, in := range s.all("ARG") {
		k, v, ok := strings.Cut(in.args, "=")
		if k == name {
			if !ok {
				return "", true
			}
			return strings.Trim(v, `"`), true
		}
	}
	return "", false
}

func loadDockerfile(t testing.TB) dockerfile {
	t.Helper()
	df := parseDockerfile(t, readFile(t, "Dockerfile"))
	if len(df.stages) < 2 {
		t.Fatalf("the Dockerfile has %d stages, want a build stage and a runtime stage", len(df.stages))
	}
	return df
}

// runtime returns the final stage, the image.
func (df dockerfile) runtime() stage { return df.stages[len(df.stages)-1] }

// stageNamed returns the stage called name.
func (df dockerfile) stageNamed(t testing.TB, name string) stage {
	t.Helper()
	for _, s := range df.stages {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no stage named %q", name)
	return stage{}
}

func TestDockerfileBaseImages(t *testing.T) {
	df := loadDockerfile(t)
	if got := df.stageNamed(t, "build").image; got != "golang:1.26-bookworm" {
		t.Errorf("build stage FROM %s, want golang:1.26-bookworm (the go directive's Go, on the runtime's Debian)", got)
	}
	if got := df.runtime().image; got != "debian:bookworm-slim" {
		t.Errorf("runtime stage FROM %s, want debian:bookworm-slim", got)
	}
	names := map[string]bool{}
	for _, s := range df.stages {
		if names[s.image] {
			continue // an earlier stage
		}
		if s.name != "" {
			names[s.name] = true
		}
		ref := s.image
		if strings.Contains(ref, "@sha256:") {
			continue
		}
		_, tag, ok := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
		switch {
		case !ok || tag == "":
			t.Errorf("line %d: FROM %s has no tag: pin a version", s.from.line, ref)
		case tag == "latest":
			t.Errorf("line %d: FROM %s: never build on latest", s.from.line, ref)
		case strings.Contains(tag, "$"):
			t.Errorf("line %d: FROM %s: the tag comes from a build argument; pin it in the file", s.from.line, ref)
		}
	}
}

func TestDockerfileStaticBuild(t *testing.T) {
	build := loadDockerfile(t).stageNamed(t, "build")
	var goBuild string
	for _, in := range build.all("RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	if goBuild == "" {
		t.Fatal("the build stage runs no go build")
	}
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags "-s -w -X main.version=${VERSION}"`, "./cmd/kamal-backup"} {
		if !strings.Contains(goBuild, want) {
			t.Errorf("go build lacks %s: %s", want, goBuild)
		}
	}
	if _, ok := build.argDefault("VERSION"); !ok {
		t.Error("the build stage declares no ARG VERSION")
	}
	var copied bool
	for _, in := range loadDockerfile(t).runtime().all("COPY") {
		if strings.HasPrefix(in.args, "--from=build ") && strings.HasSuffix(in.args, " /usr/local/bin/kamal-backup") {
			copied = true
		}
	}
	if !copied {
		t.Error("the runtime stage does not COPY --from=build the binary to /usr/local/bin/kamal-backup")
	}
}

func TestDockerfileRuntimeContract(t *testing.T) {
	rt := loadDockerfile(t).runtime()
	if got, want := execForm(t, rt.last(t, "ENTRYPOINT")), []string{"tini", "--", "kamal-backup"}; !slices.Equal(got, want) {
		t.Errorf("ENTRYPOINT %q, want %q: tini as PID 1 forwards signals and reaps children", got, want)
	}
	if got, want := execForm(t, rt.last(t, "CMD")), []string{"schedule"}; !slices.Equal(got, want) {
		t.Errorf("CMD %q, want %q: the accessory's scheduler loop", got, want)
	}
	user := rt.last(t, "USER").args
	if name, _, _ := strings.Cut(user, ":"); name != "1000" && name != "kamal-backup" {
		t.Errorf("USER %s, want the kamal-backup user, uid 1000", user)
	}
	if !regexp.MustCompile(`useradd [^&]*--uid 1000 `).MatchString(runs(rt)) {
		t.Error("no RUN creates the kamal-backup user with useradd --uid 1000")
	}
	var volume bool
	for _, in := range rt.all("VOLUME") {
		if strings.Contains(" "+strings.Trim(in.args, `[]"`)+" ", " /var/lib/kamal-backup ") {
			volume = true
		}
	}
	if !volume {
		t.Error("no VOLUME /var/lib/kamal-backup, the state directory")
	}
	if !strings.Contains(runs(rt), "install -d -o 1000 -g 1000 -m 0700 /var/lib/kamal-backup") {
		t.Error("the state directory is not created 0700 for uid 1000: a new named volume copies its owner")
	}
	env := map[string]string{}
	for _, in := range rt.all("ENV") {
		for _, kv := range strings.Fields(in.args) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	if env["KAMAL_BACKUP_IN_ACCESSORY"] != "1" {
		t.Errorf("ENV KAMAL_BACKUP_IN_ACCESSORY=%q, want 1: the Kamal bridge must know it runs in the accessory", env["KAMAL_BACKUP_IN_ACCESSORY"])
	}
	if _, ok := env["KAMAL_BACKUP_STATE_DIR"]; ok {
		t.Error("ENV KAMAL_BACKUP_STATE_DIR would override state.path of every configuration; the default is already /var/lib/kamal-backup")
	}
	if got := rt.last(t, "WORKDIR").args; got != "/app" {
		t.Errorf("WORKDIR %s, want /app: Kamal mounts config/kamal-backup.yml at /app/config/kamal-backup.yml", got)
	}
}

// runs returns the stage's RUN instructions, one a line.
func runs(s stage) string {
	var b strings.Builder
	for _, in := range s.all("RUN") {
		b.WriteString(in.args + "\n")
	}
	return b.String()
}

// installWords matches the packages of an apt-get install.
var installWords = regexp.MustCompile(`apt-get install ([^&]*)`)

func TestDockerfilePackages(t *testing.T) {
	rt := loadDockerfile(t).runtime()
	var packages []string
	for _, m := range installWords.FindAllStringSubmatch(runs(rt), -1) {
		for _, w := range strings.Fields(m[1]) {
			if !strings.HasPrefix(w, "-") {
				packages = append(packages, w)
			}
		}
	}
	for _, want := range []string{"ca-certificates", "tini", "mariadb-client", "sqlite3", "openssh-client", "rclone"} {
		if !slices.Contains(packages, want) {
			t.Errorf("the runtime stage does not install %s (installs %q)", want, packages)
		}
	}
	majors, ok := rt.argDefault("PG_MAJORS")
	if !ok {
		t.Fatal("no ARG PG_MAJORS: the PostgreSQL client majors")
	}
	for _, want := range []string{"13", "14", "15", "16", "17"} {
		if !slices.Contains(strings.Fields(majors), want) {
			t.Errorf("PG_MAJORS=%q lacks %s: pg_dump refuses servers newer than itself", majors, want)
		}
	}
	if !strings.Contains(runs(rt), `pg_clients+=("postgresql-client-$major")`) || !slices.Contains(packages, `"${pg_clients[@]}"`) {
		t.Error("the runtime stage does not install postgresql-client-<major> for each of PG_MAJORS")
	}
	if !strings.Contains(runs(rt), "Signed-By: /usr/share/keyrings/apt.postgresql.org.gpg") {
		t.Error("the PGDG apt source is not restricted to its own key (Signed-By)")
	}
}

func TestDockerfileHygiene(t *testing.T) {
	df := loadDockerfile(t)
	for _, s := range df.stages {
		for _, in := range s.all("RUN") {
			a := in.args
			if strings.Contains(a, "apt-get install") {
				for _, flag := range []string{" -y ", "--no-install-recommends"} {
					if !strings.Contains(a, flag) {
						t.Errorf("line %d: apt-get install without %s", in.line, strings.TrimSpace(flag))
					}
				}
			}
			if strings.Contains(a, "apt-get update") && strings.LastIndex(a, "rm -rf /var/lib/apt/lists/*") < strings.LastIndex(a, "apt-get ") {
				t.Errorf("line %d: a RUN with apt-get update must remove /var/lib/apt/lists/* after its last apt-get", in.line)
			}
			if strings.Contains(a, "apt-get upgrade") || strings.Contains(a, "apt-get dist-upgrade") {
				t.Errorf("line %d: upgrade the base image instead of running apt-get upgrade", in.line)
			}
			if regexp.MustCompile(`(curl|wget)[^|&;]*\|\s*(ba)?sh`).MatchString(a) {
				t.Errorf("line %d: a downloaded script piped into a shell", in.line)
			}
		}
		for _, in := range s.all("ADD") {
			if strings.Contains(in.args, "://") {
				t.Errorf("line %d: ADD of a URL: fetch through a package manager that verifies it", in.line)
			}
		}
	}
	if len(df.runtime().all("USER")) == 0 {
		t.Error("the image runs as root")
	}
}

func TestDockerignore(t *testing.T) {
	lines := map[string]bool{}
	for _, l := range strings.Split(readFile(t, ".dockerignore"), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines[l] = true
		}
	}
	for _, want := range []string{".git", ".tools"} {
		if !lines[want] {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
	for _, needed := range []string{"go.mod", "go.sum", "cmd", "*.go", "**/*.go", "repo", "backup"} {
		if lines[needed] {
			t.Errorf(".dockerignore excludes %s, which the build needs", needed)
		}
	}
}

func TestParseDockerfile(t *testing.T) {
	df := parseDockerfile(t, `# syntax=docker/dockerfile:1
ARG GLOBAL=1
FROM --platform=$BUILDPLATFORM golang:1 AS build
RUN a \
  # a comment inside
  && b
FROM debian:12
CMD ["x", "y"]
`)
	if len(df.globalArgs) != 1 || len(df.stages) != 2 {
		t.Fatalf("got %d global args and %d stages", len(df.globalArgs), len(df.stages))
	}
	if s := df.stages[0]; s.image != "golang:1" || s.name != "build" || len(s.body) != 1 || s.body[0].args != "a && b" || s.body[0].line != 4 {
		t.Errorf("first stage %+v", s)
	}
	if got := execForm(t, df.stages[1].last(t, "CMD")); !slices.Equal(got, []string{"x", "y"}) {
		t.Errorf("CMD %q", got)
	}
}
