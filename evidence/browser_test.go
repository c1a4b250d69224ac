package evidence

import (
	"encoding/json"
	"html"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kamal-backup/kamal-backup/internal/testenv"
)

// envArtifacts names the folder where tests save what a person may want
// to look at after the run (here the report's screenshot); unset, they
// go to the test's temporary directory.
const envArtifacts = "KAMAL_BACKUP_ARTIFACTS"

// visibilityProbe is appended to a copy of the report: it finds, for each
// text, an element showing it that the browser lays out with a size and
// does not hide, and records the answers on the body for --dump-dom.
const visibilityProbe = `<script>
const texts = JSON.parse(document.currentScript.dataset.texts);
const seen = {};
for (const text of texts) {
  seen[text] = false;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.includes(text) || el.closest("script")) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && el.checkVisibility({visibilityProperty: true, opacityProperty: true})) {
      seen[text] = true;
      break;
    }
  }
}
document.body.dataset.visible = JSON.stringify(seen);
</script>`

// visibleAttr finds the probe's answer in the dumped DOM.
var visibleAttr = regexp.MustCompile(`data-visible="([^"]*)"`)

// TestHTMLReportInBrowser renders the evidence of a real collection as
// HTML, opens it in headless Chromium and checks that the verdict and the
// latest backup of every source are laid out visibly; it saves a
// screenshot of the page.
func TestHTMLReportInBrowser(t *testing.T) {
	chromium := testenv.Tool(t, "chromium")
	f := newFixture(t, objectivesConfig, nil)
	f.daily(t, 3)
	f.writeRecords(t)
	doc := f.collect(t)
	if doc.Objectives.Verdict != VerdictPass {
		t.Fatalf("verdict %s, want pass: %v", doc.Objectives.Verdict, doc.Objectives.Reasons)
	}
	want := []string{"Verdict", "PASS", "every declared recovery objective is met"}
	for name, fact := range doc.LatestDatabaseBackups {
		if fact.Value == nil {
			t.Fatalf("no latest backup of %s", name)
		}
		want = append(want, fact.Value.ID)
	}
	if doc.LatestFileBackup.Value == nil {
		t.Fatal("no latest file backup")
	}
	want = append(want, doc.LatestFileBackup.Value.ID)

	page := render(t, doc, FormatHTML)
	dir := t.TempDir()
	report := filepath.Join(dir, "evidence.html")
	writeFile(t, report, page)
	texts, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	probe := strings.Replace(visibilityProbe, "<script>", `<script data-texts="`+html.EscapeString(string(texts))+`">`, 1)
	probed := filepath.Join(dir, "probed.html")
	writeFile(t, probed, strings.Replace(page, "</body>", probe+"\n</body>", 1))

	dom := string(runChromium(t, chromium, dir, "--dump-dom", "file://"+probed))
	m := visibleAttr.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe left no answer in the DOM Chromium rendered:\n%.2000s", dom)
	}
	var seen map[string]bool
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &seen); err != nil {
		t.Fatal(err)
	}
	for _, text := range want {
		if !seen[text] {
			t.Errorf("%q is not visible in the report as Chromium lays it out", text)
		}
	}

	shot := filepath.Join(artifactsDir(t), "evidence-report.png")
	runChromium(t, chromium, dir, "--screenshot="+shot, "--window-size=1280,2000", "file://"+report)
	checkScreenshot(t, shot, 1280, 2000)
	t.Logf("screenshot of the report: %s", shot)
}

// runChromium runs headless Chromium with a profile of its own in dir.
func runChromium(t *testing.T, chromium, dir string, args ...string) []byte {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + filepath.Join(dir, "profile")}
	return testenv.RunTool(t, []string{"HOME=" + dir}, dir, chromium, append(base, args...)...)
}

// checkScreenshot checks that path is a PNG of the given size with
// something drawn on it: not a single colour.
func checkScreenshot(t *testing.T, path string, width, height int) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Errorf("screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	if colours(img, 2) < 2 {
		t.Errorf("screenshot %s is blank", path)
	}
}

// colours counts the distinct colours of img, up to limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// artifactsDir returns $KAMAL_BACKUP_ARTIFACTS, created if needed, or the
// test's temporary directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeFile writes text to path.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
