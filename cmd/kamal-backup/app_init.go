package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// appInitCmd writes a starter configuration and prints the accessory
// block for config/deploy.yml.
type appInitCmd struct {
	appConfigFlag
	App     string `name:"app" placeholder:"NAME" help:"The app's name; default: service in config/deploy.yml next to the configuration, else the current directory's name."`
	Adapter string `name:"adapter" enum:"postgres,mysql,sqlite" default:"postgres" help:"The database's adapter: postgres, mysql or sqlite (default: ${default})."`
	Image   string `name:"image" placeholder:"IMAGE" help:"The accessory's image; default: ghcr.io/kamal-backup/kamal-backup at this version."`
}

// Help is the detailed help of "init".
func (c *appInitCmd) Help() string {
	return `Writes a starter config/kamal-backup.yml (or the -c FILE) for the app: one
database, the /data/storage files, an S3 repository created on the first
backup, a daily schedule. It refuses to overwrite an existing file. Edit
it, then check it with "kamal-backup validate --shape-only".

It then prints the accessory block to add to config/deploy.yml (the image,
"kamal-backup schedule" as its command, the configuration file, the
volumes of the files and of the state directory, the names of the secrets
to pass) and the lines to add to .kamal/secrets. No secret is written
anywhere: the configuration names environment variables.

Examples:
  kamal-backup init
  kamal-backup init --app shop --adapter mysql

Exit codes: 0 written; 1 the file exists, or could not be written.`
}

// Run writes the configuration and prints the accessory block.
func (c *appInitCmd) Run(g *Globals) error {
	app := c.App
	if app == "" {
		app = kamalService(filepath.Join(filepath.Dir(c.Config), "deploy.yml"))
	}
	if app == "" {
		wd, err := os.Getwd()
		if err != nil {
			return fmt.Errorf("init: %w (name the app with --app)", err)
		}
		app = filepath.Base(wd)
	}
	app = strings.Trim(appNameRuns.ReplaceAllString(strings.ToLower(app), "-"), "-.")
	if app == "" {
		return errors.New("init: no app name (name it with --app)")
	}
	starter := newStarter(app, c.Adapter)
	if err := writeNewFile(c.Config, starter.config()); err != nil {
		return err
	}
	image := c.Image
	if image == "" {
		image = defaultImage()
	}
	_, err := fmt.Fprintf(g.stdout, "Wrote %s: edit it (repository, database, paths), then run\n  kamal-backup validate --shape-only -c %s\n\n%s",
		c.Config, c.Config, starter.accessory(image, c.Config))
	return err
}

// appNameRuns are the runs of characters a starter app name leaves out.
var appNameRuns = regexp.MustCompile(`[^a-z0-9_.-]+`)

// kamalService returns the service name in the Kamal configuration at
// path, or "" when it cannot be read.
func kamalService(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var deploy struct {
		Service string `yaml:"service"`
	}
	// deploy.yml may hold ERB; a file that does not parse has no name.
	if yaml.Unmarshal(data, &deploy) != nil {
		return ""
	}
	return deploy.Service
}

// defaultImage is the accessory image of this version.
func defaultImage() string {
	v := programVersion()
	if v == "dev" {
		v = "latest"
	}
	return "ghcr.io/kamal-backup/kamal-backup:" + strings.TrimPrefix(v, "v")
}

// writeNewFile creates path with data, and its directory when missing;
// it refuses to replace an existing file.
func writeNewFile(path string, data string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("init: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("init: %s already exists; not overwriting it (edit it, remove it first, or write another file with -c FILE)", path)
	}
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	_, err = io.WriteString(f, data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("init: %w", err)
	}
	return nil
}
