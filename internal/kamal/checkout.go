package kamal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DefaultDeployFile is Kamal's deploy file, relative to the checkout.
const DefaultDeployFile = "config/deploy.yml"

// ErrNoCheckout is returned by Find when neither the directory nor a
// parent holds config/deploy.yml and no deploy file was named.
var ErrNoCheckout = errors.New("not in a Kamal app checkout: no " + DefaultDeployFile + " here or in a parent directory")

// Checkout is a Kamal app checkout, with the Kamal configuration and
// destination chosen, as Find returns it.
type Checkout struct {
	// Root is the absolute directory Kamal runs in: the nearest directory
	// holding config/deploy.yml, or, when a deploy file was named and
	// there is none, the directory Find started from (Kamal reads
	// .kamal/secrets and .env relative to it).
	Root string
	// DeployFile is the absolute path of the deploy file.
	DeployFile string
	// ConfigFile is Kamal's -c argument, relative to Root when the deploy
	// file is inside it; empty for the default config/deploy.yml.
	ConfigFile string
	// Destination is Kamal's -d argument; empty for none.
	Destination string
	// Accessory is the name of the kamal-backup accessory in the deploy
	// file.
	Accessory string
	// Kamal is the absolute path of the kamal executable.
	Kamal string
	// KamalName is how messages show the executable: "bin/kamal" or
	// "kamal".
	KamalName string
}

// FindOptions tune Find. The zero value finds config/deploy.yml without
// a destination and reads the process environment.
type FindOptions struct {
	// ConfigFile is the deploy file, as given to Kamal's -c/--config-file:
	// relative to the starting directory, or absolute. It must exist.
	ConfigFile string
	// Destination selects Kamal's destination, as -d/--destination: the
	// overlay deploy.NAME.yml next to the deploy file must exist.
	Destination string
	// LookupEnv reads PATH (to find kamal) and KAMAL_BACKUP_ACCESSORY;
	// nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Find detects the Kamal app checkout that dir is in, as described in
// the package documentation. It returns ErrNoCheckout when there is none
// and no deploy file is named; an error wrapping ErrKamalNotFound when
// the checkout has no kamal to run; other errors for a named deploy file
// or destination overlay that does not exist, or a kamal-backup
// configuration whose accessory cannot be read.
func Find(dir string, opts FindOptions) (*Checkout, error) {
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Checkout{Destination: opts.Destination}
	root, found := findRoot(dir)
	switch {
	case opts.ConfigFile != "":
		c.DeployFile = opts.ConfigFile
		if !filepath.IsAbs(c.DeployFile) {
			c.DeployFile = filepath.Join(dir, c.DeployFile)
		}
		if !isFile(c.DeployFile) {
			return nil, fmt.Errorf("kamal deploy file %s not found", opts.ConfigFile)
		}
		if !found {
			root = dir
		}
		c.ConfigFile = c.DeployFile
		if rel, err := filepath.Rel(root, c.DeployFile); err == nil && filepath.IsLocal(rel) {
			c.ConfigFile = rel
		}
	case !found && opts.Destination != "":
		return nil, fmt.Errorf("destination %s: %w", opts.Destination, ErrNoCheckout)
	case !found:
		return nil, ErrNoCheckout
	default:
		c.DeployFile = filepath.Join(root, DefaultDeployFile)
	}
	c.Root = root
	if err := c.checkDestination(); err != nil {
		return nil, err
	}
	if c.Accessory, err = accessoryName(filepath.Dir(c.DeployFile), opts.LookupEnv); err != nil {
		return nil, err
	}
	if c.Kamal, c.KamalName, err = findKamal(root, opts.LookupEnv); err != nil {
		return nil, err
	}
	return c, nil
}

// findRoot returns the nearest of dir and its parents that holds
// config/deploy.yml.
func findRoot(dir string) (string, bool) {
	for {
		if isFile(filepath.Join(dir, DefaultDeployFile)) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// checkDestination checks that the destination's overlay exists: Kamal
// merges deploy.NAME.yml (the deploy file's extension replaced by
// ".NAME.yml") over the deploy file and fails without it.
func (c *Checkout) checkDestination() error {
	d := c.Destination
	if d == "" {
		return nil
	}
	if strings.HasPrefix(d, "-") || strings.ContainsAny(d, `/\`) || strings.TrimSpace(d) != d {
		return fmt.Errorf("invalid Kamal destination %q", d)
	}
	overlay := c.overlayFile()
	if !isFile(overlay) {
		return fmt.Errorf("destination %s: kamal deploy file %s not found", d, c.display(overlay))
	}
	return nil
}

// overlayFile returns the destination's deploy file.
func (c *Checkout) overlayFile() string {
	return strings.TrimSuffix(c.DeployFile, filepath.Ext(c.DeployFile)) + "." + c.Destination + ".yml"
}

// display returns path relative to Root when it is inside it.
func (c *Checkout) display(path string) string {
	if rel, err := filepath.Rel(c.Root, path); err == nil && filepath.IsLocal(rel) {
		return rel
	}
	return path
}

// isFile reports whether path is a regular file (following symlinks).
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
