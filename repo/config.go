package repo

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/restic/chunker"
)

// Config is the decrypted content of a repository's config file.
type Config struct {
	Version           uint        `json:"version"`
	ID                string      `json:"id"`
	ChunkerPolynomial chunker.Pol `json:"chunker_polynomial"`
}

// Supported repository format versions.
const (
	MinVersion = 1
	MaxVersion = 2
)

func parseConfig(data []byte) (Config, error) {
	var raw struct {
		Version uint   `json:"version"`
		ID      string `json:"id"`
		Pol     string `json:"chunker_polynomial"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrConfigDamaged, err)
	}
	if raw.Version < MinVersion || raw.Version > MaxVersion {
		return Config{}, fmt.Errorf("unsupported repository version %d", raw.Version)
	}
	p, err := strconv.ParseUint(raw.Pol, 16, 64)
	if err != nil {
		return Config{}, fmt.Errorf("%w: chunker polynomial %q: %v", ErrConfigDamaged, raw.Pol, err)
	}
	pol := chunker.Pol(p)
	if !pol.Irreducible() || pol.Deg() != 53 {
		return Config{}, fmt.Errorf("%w: invalid chunker polynomial %s", ErrConfigDamaged, raw.Pol)
	}
	return Config{Version: raw.Version, ID: raw.ID, ChunkerPolynomial: pol}, nil
}

func (c Config) marshal() ([]byte, error) {
	return json.Marshal(struct {
		Version uint   `json:"version"`
		ID      string `json:"id"`
		Pol     string `json:"chunker_polynomial"`
	}{c.Version, c.ID, strconv.FormatUint(uint64(c.ChunkerPolynomial), 16)})
}
