package backup

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// referenceKey is one documented key: its dotted path ("[]" after a list)
// and, for a key shown commented out, the index of the line showing it
// (else -1).
type referenceKey struct {
	path string
	alt  int
}

// commentedKey matches a key shown commented out: "  # name: value".
var commentedKey = regexp.MustCompile(`^(\s*)# ([a-z_]+): `)

// referenceKeys lists the documented keys: every key of the block, then
// every key shown commented out.
func referenceKeys(doc string) ([]referenceKey, error) {
	paths, err := keyPaths(doc)
	if err != nil {
		return nil, err
	}
	var keys []referenceKey
	for _, p := range paths {
		keys = append(keys, referenceKey{path: p, alt: -1})
	}
	for i, line := range strings.Split(doc, "\n") {
		if !commentedKey.MatchString(line) {
			continue
		}
		alt, err := keyPaths(uncomment(doc, i))
		if err != nil {
			return nil, err
		}
		for _, p := range alt {
			if !slices.Contains(paths, p) {
				keys = append(keys, referenceKey{path: p, alt: i})
			}
		}
	}
	return keys, nil
}

// uncomment returns doc with the key commented out on line i (if i >= 0)
// put in place of the key on the line before it.
func uncomment(doc string, i int) string {
	if i < 0 {
		return doc
	}
	lines := strings.Split(doc, "\n")
	lines[i] = commentedKey.ReplaceAllString(lines[i], "$1$2: ")
	lines[i-1] = ""
	return strings.Join(lines, "\n")
}

// keyPaths returns the dotted path of every key of a YAML text, parents
// and leaves, in order. A secret reference ({secret: NAME}, {file: PATH},
// {command: CMD}) is a value, not keys of its own.
func keyPaths(text string) ([]string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return nil, err
	}
	var out []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		switch {
		case n.Kind == yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, prefix)
			}
		case n.Kind == yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, prefix+"[]")
			}
		case n.Kind == yaml.MappingNode && !(prefix != "" && isSecretRef(n)):
			for i := 0; i+1 < len(n.Content); i += 2 {
				p := strings.TrimPrefix(prefix+"."+n.Content[i].Value, ".")
				if !slices.Contains(out, p) {
					out = append(out, p)
				}
				walk(n.Content[i+1], p)
			}
		}
	}
	walk(&root, "")
	return out, nil
}

// isSecretRef reports whether n is {secret: NAME}, {file: PATH} or
// {command: CMD}.
func isSecretRef(n *yaml.Node) bool {
	return n.Kind == yaml.MappingNode && len(n.Content) == 2 &&
		slices.Contains([]string{"secret", "file", "command"}, n.Content[0].Value)
}

// configSections are the top-level keys of a configuration.
var configSections = []string{"app", "accessory", "databases", "paths", "restore_from", "restic", "backup",
	"state", "evidence", "notify"}

// fixtureKeys returns the key paths that the config test fixtures set:
// the YAML files under testdata (but the reference's own file) and the
// YAML texts in this package's tests, those with a configuration section
// at the top, and indented fragments that tests append to a section
// ("  retention: {...}" after "restic:"), placed in the section where
// known has their keys.
func fixtureKeys(known []string) (map[string]bool, error) {
	keys := map[string]bool{}
	add := func(text string) {
		var m map[string]any
		if yaml.Unmarshal([]byte(text), &m) == nil && slices.ContainsFunc(configSections, func(s string) bool { _, ok := m[s]; return ok }) {
			paths, _ := keyPaths(text)
			for _, p := range paths {
				keys[p] = true
			}
			return
		}
		if !strings.HasPrefix(text, "  ") {
			return
		}
		for _, sec := range configSections {
			paths, err := keyPaths(sec + ":\n" + text)
			if err != nil || len(paths) < 2 || !slices.ContainsFunc(paths[1:], func(p string) bool { return slices.Contains(known, p) }) {
				continue
			}
			if slices.ContainsFunc(paths[1:], func(p string) bool { return strings.Count(p, ".") == 1 && !slices.Contains(known, p) }) {
				continue // a key of another section
			}
			for _, p := range paths {
				keys[p] = true
			}
		}
	}
	err := filepath.WalkDir("testdata", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == referenceFixture || filepath.Ext(p) != ".yml" && filepath.Ext(p) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		add(string(b))
		return err
	})
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					add(s)
				}
			}
			return true
		})
	}
	return keys, nil
}
