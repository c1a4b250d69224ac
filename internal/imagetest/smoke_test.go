package imagetest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// smokeLine is a check line of scripts/image-smoke: its status, its name
// and what follows the first ": ".
var smokeLine = regexp.MustCompile(`^(ok|FAIL|skip|pending) +(.+)$`)

// TestImageSmoke runs scripts/image-smoke, which builds kamal-backup with
// the image's flags and runs it the way the image does, with the image's
// Debian packages installed here (scripts/test installs them with
// "scripts/image-smoke --install-only"). Each check of the script is a
// subtest: pending checks (a command the binary does not have yet) and
// image-only ones (PostgreSQL majors this machine's apt sources lack) are
// skipped.
func TestImageSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs kamal-backup: not in -short mode")
	}
	out, code := runScript(t, 10*time.Minute, "scripts/image-smoke", "--no-install")
	if code == 2 {
		missing(t, "the image's Debian packages are not all installed (scripts/image-smoke --install-only):\n%s", out)
	}
	lines := strings.Split(out, "\n")
	checks, failed := 0, 0
	for i, line := range lines {
		m := smokeLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		checks++
		status := m[1]
		name, detail, _ := strings.Cut(m[2], ": ")
		// A failure's output follows it as "        | ..." lines.
		for _, more := range lines[i+1:] {
			if !strings.HasPrefix(more, "        |") {
				break
			}
			detail += "\n" + more
		}
		if status == "FAIL" {
			failed++
		}
		t.Run(name, func(t *testing.T) {
			switch status {
			case "ok":
				if detail != "" {
					t.Log(detail)
				}
			case "FAIL":
				t.Error(detail)
			default:
				t.Skipf("%s: %s", status, detail)
			}
		})
	}
	if checks == 0 || (code != 0 && failed == 0) {
		t.Fatalf("scripts/image-smoke exited %d:\n%s", code, out)
	}
}
