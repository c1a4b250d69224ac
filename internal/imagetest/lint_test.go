package imagetest

import (
	"testing"
	"time"
)

// TestDockerfileLint runs the pinned npm linter, which scripts/test
// installs with "scripts/lint-dockerfile --install".
func TestDockerfileLint(t *testing.T) {
	out, code := runScript(t, 2*time.Minute, "scripts/lint-dockerfile", "--no-install")
	switch code {
	case 0:
		t.Log(out)
	case 2:
		missing(t, "the Dockerfile linter is not installed (scripts/lint-dockerfile --install):\n%s", out)
	default:
		t.Fatalf("scripts/lint-dockerfile found problems (exit %d):\n%s", code, out)
	}
}
