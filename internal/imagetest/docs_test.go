package imagetest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// operatorDocs are the documents checked for broken links: the operator
// guides that go with the image and the examples.
var operatorDocs = []string{
	"docs/GETTING_STARTED.md", "docs/COMMANDS.md", "docs/RESTORE_AND_DRILLS.md",
	"docs/SECURITY.md", "docs/MIGRATING_FROM_RUBY.md", "docs/BACKENDS.md",
	"examples/kamal/README.md",
}

var (
	mdLink    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+)$`)
)

// anchor is GitHub's anchor of a heading: lower case, punctuation dropped,
// spaces as hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestOperatorDocLinks checks that the relative links of the operator docs
// point at files that exist and, with a #fragment, at a heading there.
func TestOperatorDocLinks(t *testing.T) {
	root := repoRoot(t)
	for _, doc := range operatorDocs {
		text := readFile(t, doc)
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			file, frag, _ := strings.Cut(link, "#")
			target := filepath.Join(root, filepath.Dir(doc), file)
			if file == "" {
				target = filepath.Join(root, doc)
			}
			if _, err := os.Stat(target); err != nil {
				t.Errorf("%s: link %s: %v", doc, link, err)
				continue
			}
			if frag == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			b, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, h := range mdHeading.FindAllStringSubmatch(string(b), -1) {
				if anchor(strings.ReplaceAll(h[1], "`", "")) == frag {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: link %s: no heading with anchor #%s", doc, link, frag)
			}
		}
	}
}
