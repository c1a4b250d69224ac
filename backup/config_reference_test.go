package backup

import (
	"os"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// referenceDoc is the configuration reference whose "Every setting" block
// TestConfigReferenceKeysCovered reads.
const referenceDoc = "../docs/CONFIGURATION.md"

// referenceFixture is the file that block shows.
const referenceFixture = "testdata/examples/all_settings.yml"

// TestConfigReferenceMatchesFixture keeps the reference's "Every setting"
// block the file the tests load, as the reference says it is: the same
// keys and values (comments may differ).
func TestConfigReferenceMatchesFixture(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(referenceFixture)
	if err != nil {
		t.Fatal(err)
	}
	var doc, file any
	if err := yaml.Unmarshal([]byte(referenceBlock(t)), &doc); err != nil {
		t.Fatalf("%s: %v", referenceDoc, err)
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatalf("%s: %v", referenceFixture, err)
	}
	if diff := cmp.Diff(file, doc); diff != "" {
		t.Errorf("the \"Every setting\" block of %s differs from %s (-file +doc):\n%s", referenceDoc, referenceFixture, diff)
	}
}

// TestConfigReferenceKeysCovered checks every key the configuration
// reference documents: some config test fixture other than the
// reference's own file sets it, and the loaded Config depends on it
// (removing the key or changing its value changes what LoadConfig
// returns). A key shown commented out is an alternative to the key on
// the line before it and is checked in its place.
func TestConfigReferenceKeysCovered(t *testing.T) {
	t.Parallel()
	doc := referenceBlock(t)
	keys, err := referenceKeys(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) < 40 {
		t.Fatalf("found only %d keys in %s; has its format changed?", len(keys), referenceDoc)
	}
	var known []string
	for _, k := range keys {
		known = append(known, k.path)
	}
	fixtures, err := fixtureKeys(known)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		t.Run(k.path, func(t *testing.T) {
			if !fixtures[k.path] {
				t.Errorf("no config test fixture (a testdata YAML file other than %s, or YAML in a backup test) sets %s",
					referenceFixture, k.path)
			}
			if err := k.checkRead(t, doc); err != nil {
				t.Error(err)
			}
		})
	}
}

// everySetting finds the "Every setting" section's YAML block.
var everySetting = regexp.MustCompile("(?s)## Every setting\n.*?```yaml\n(.*?)```")

// referenceBlock returns the reference's "Every setting" YAML block.
func referenceBlock(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(referenceDoc)
	if err != nil {
		t.Fatal(err)
	}
	m := everySetting.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s has no \"## Every setting\" section with a ```yaml block", referenceDoc)
	}
	return string(m[1])
}
