package kamal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultAccessory is the accessory's name when neither
// KAMAL_BACKUP_ACCESSORY nor the configuration names one.
const DefaultAccessory = "backup"

// AccessoryEnv names the accessory, over the configuration, as it does
// for every kamal-backup command.
const AccessoryEnv = "KAMAL_BACKUP_ACCESSORY"

// configName is the kamal-backup configuration, next to the deploy file.
const configName = "kamal-backup.yml"

// accessoryName returns the kamal-backup accessory's name: AccessoryEnv,
// else the "accessory" key of kamal-backup.yml in configDir, else
// DefaultAccessory. A missing file is no error; one that does not parse
// is.
func accessoryName(configDir string, lookupEnv func(string) (string, bool)) (string, error) {
	if v, _ := lookupEnv(AccessoryEnv); strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), nil
	}
	path := filepath.Join(configDir, configName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return DefaultAccessory, nil
	}
	if err != nil {
		return "", fmt.Errorf("read accessory name: %w", err)
	}
	var cfg struct {
		Accessory any `yaml:"accessory"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("read accessory name from %s: %w", path, err)
	}
	switch v := cfg.Accessory.(type) {
	case nil:
		return DefaultAccessory, nil
	case string:
		if v = strings.TrimSpace(v); v != "" {
			return v, nil
		}
		return DefaultAccessory, nil
	}
	return "", fmt.Errorf("read accessory name from %s: accessory is not a string", path)
}
