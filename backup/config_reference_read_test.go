package backup

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// checkRead loads the reference's configuration with the key k as shown,
// then with it removed and with its value changed, and returns an error
// unless one of the variants loads into a different Config.
func (k referenceKey) checkRead(t *testing.T, doc string) error {
	text := uncomment(doc, k.alt)
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(text), &root); err != nil {
		return err
	}
	for _, pl := range findKey(&root, strings.Split(strings.ReplaceAll(k.path, "[]", ".[]"), ".")) {
		if v := pl.m.Content[pl.i+1]; v.Kind == yaml.MappingNode && !isSecretRef(v) {
			return nil // a section: its keys (if any) are checked one by one
		}
	}
	// The variants are written by the YAML encoder: so is the base, so
	// that only the key's change can tell them apart.
	b, err := yaml.Marshal(&root)
	if err != nil {
		return err
	}
	base, err := loadDumped(t, string(b))
	if err != nil {
		return fmt.Errorf("the reference's configuration does not load: %v", err)
	}
	var tried []string
	for _, v := range keyVariants(text, k.path) {
		got, err := loadDumped(t, v.text)
		switch {
		case err == nil && got != base:
			t.Logf("%s: %s gives another Config", k.path, v.name)
			return nil
		case err == nil:
			tried = append(tried, v.name+": the same Config")
		default:
			tried = append(tried, v.name+": "+err.Error())
		}
	}
	return fmt.Errorf("no change of %s gives another Config; is it read?\n  %s", k.path, strings.Join(tried, "\n  "))
}

// loadDumped loads text as a configuration file (without the machine it
// is meant for: LoadOptions.ShapeOnly) and returns the whole Config,
// unexported fields included, as text, with its directory written $DIR;
// then again as a local configuration, whose errors are part of the
// text.
func loadDumped(t *testing.T, text string) (string, error) {
	dir := t.TempDir()
	path := configDir(t, dir, text, "")
	var b strings.Builder
	for _, local := range []bool{false, true} {
		cfg, err := LoadConfig(path, fakeEnv{}.lookup, LoadOptions{ShapeOnly: true, Local: local})
		switch {
		case err != nil && !local:
			return "", err
		case err != nil:
			b.WriteString("local: " + err.Error())
		default:
			dumpValue(&b, reflect.ValueOf(cfg), 0)
		}
		b.WriteString("\n")
	}
	return strings.ReplaceAll(b.String(), dir, "$DIR"), nil
}

// dumpValue writes v, every field of every struct it reaches included.
func dumpValue(b *strings.Builder, v reflect.Value, depth int) {
	if depth > 30 {
		b.WriteString("...")
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("nil")
			return
		}
		dumpValue(b, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type().PkgPath() == "sync" || v.Type().PkgPath() == "regexp" {
			return
		}
		b.WriteString(v.Type().Name() + "{")
		for i := range v.NumField() {
			b.WriteString(v.Type().Field(i).Name + ":")
			dumpValue(b, v.Field(i), depth+1)
			b.WriteString(" ")
		}
		b.WriteString("}")
	case reflect.Slice, reflect.Array:
		b.WriteString("[")
		for i := range v.Len() {
			dumpValue(b, v.Index(i), depth+1)
			b.WriteString(" ")
		}
		b.WriteString("]")
	case reflect.Map:
		var entries []string
		for _, k := range v.MapKeys() {
			var e strings.Builder
			dumpValue(&e, k, depth+1)
			e.WriteString(":")
			dumpValue(&e, v.MapIndex(k), depth+1)
			entries = append(entries, e.String())
		}
		slices.Sort(entries)
		b.WriteString("map[" + strings.Join(entries, " ") + "]")
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		fmt.Fprint(b, !v.IsNil())
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Bool:
		fmt.Fprint(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		fmt.Fprint(b, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		fmt.Fprint(b, v.Uint())
	case reflect.Float32, reflect.Float64:
		fmt.Fprint(b, v.Float())
	default:
		b.WriteString(v.Kind().String())
	}
}

// variant is the reference's configuration with one key changed.
type variant struct{ name, text string }

// keyVariants returns text with the key at path removed, then with its
// value changed in the ways changedValues lists or to the values it has
// elsewhere, at each of its places (each list item that has it), then,
// for a key of list items, set on the items that lack it.
func keyVariants(text, path string) []variant {
	steps := strings.Split(strings.ReplaceAll(path, "[]", ".[]"), ".")
	var out []variant
	// edit applies fn to a fresh parse of text and keeps the result.
	edit := func(name string, fn func(root *yaml.Node) bool) {
		var root yaml.Node
		if yaml.Unmarshal([]byte(text), &root) != nil || !fn(&root) {
			return
		}
		if b, err := yaml.Marshal(&root); err == nil {
			out = append(out, variant{name, string(b)})
		}
	}
	var root yaml.Node
	if yaml.Unmarshal([]byte(text), &root) != nil {
		return nil
	}
	places := findKey(&root, steps)
	var values []string
	for _, pl := range places {
		values = append(values, changedValues(pl.m.Content[pl.i+1])...)
		if v := pl.m.Content[pl.i+1]; v.Kind == yaml.ScalarNode {
			values = append(values, strconv.Quote(v.Value))
		}
	}
	for j := range places {
		at := fmt.Sprintf(" (place %d)", j+1)
		edit("removed"+at, func(root *yaml.Node) bool {
			pl := findKey(root, steps)[j]
			pl.m.Content = slices.Delete(pl.m.Content, pl.i, pl.i+2)
			return true
		})
		for _, v := range values {
			var n yaml.Node
			if yaml.Unmarshal([]byte(v), &n) != nil || len(n.Content) != 1 {
				continue
			}
			name := strings.Join(strings.Fields(v), " ")
			if len(name) > 40 {
				name = name[:37] + "..."
			}
			edit("changed to "+name+at, func(root *yaml.Node) bool {
				pl := findKey(root, steps)[j]
				pl.m.Content[pl.i+1] = n.Content[0]
				return true
			})
		}
	}
	if len(places) > 0 && len(steps) > 1 && steps[len(steps)-2] == "[]" {
		key, value := places[0].m.Content[places[0].i], places[0].m.Content[places[0].i+1]
		edit("set on the other items", func(root *yaml.Node) bool {
			added := false
			for _, item := range findItems(root, steps[:len(steps)-2]) {
				if item.Kind == yaml.MappingNode && len(findKey(item, steps[len(steps)-1:])) == 0 {
					item.Content = append(item.Content, key, value)
					added = true
				}
			}
			return added
		})
	}
	return out
}

// place is where a key is: the mapping holding it and the key's index in
// its Content.
type place struct {
	m *yaml.Node
	i int
}

// findKey returns every place of the key at path (whose elements are
// keys, or "[]" for a list's items), in document order.
func findKey(n *yaml.Node, path []string) []place {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if path[0] == "[]" {
		var out []place
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				out = append(out, findKey(item, path[1:])...)
			}
		}
		return out
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != path[0] {
			continue
		}
		if len(path) == 1 {
			return []place{{n, i}}
		}
		return findKey(n.Content[i+1], path[1:])
	}
	return nil
}

// findItems returns the items of the list at path.
func findItems(root *yaml.Node, path []string) []*yaml.Node {
	pls := findKey(root, path)
	if len(pls) != 1 || pls[0].m.Content[pls[0].i+1].Kind != yaml.SequenceNode {
		return nil
	}
	return pls[0].m.Content[pls[0].i+1].Content
}

// durationLike matches "1d", "30d", "4h", "5%".
var durationLike = regexp.MustCompile(`^(\d+)([a-z%]+)$`)

// changedValues returns other values for a key whose value is n, as YAML
// texts: a flipped boolean, a number plus one, a longer string, another
// secret variable, a list with an item more or less.
func changedValues(n *yaml.Node) []string {
	switch {
	case isSecretRef(n):
		return []string{fmt.Sprintf("{%s: %s_2}", n.Content[0].Value, n.Content[1].Value)}
	case n.Kind == yaml.SequenceNode && len(n.Content) == 0:
		return []string{"[/data/storage]"}
	case n.Kind == yaml.SequenceNode:
		b, _ := yaml.Marshal(&yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: n.Content[:len(n.Content)-1]})
		return []string{string(b)}
	case n.Kind != yaml.ScalarNode:
		return nil
	}
	v := n.Value
	if b, err := strconv.ParseBool(v); err == nil && n.Tag == "!!bool" {
		return []string{strconv.FormatBool(!b)}
	}
	if i, err := strconv.Atoi(v); err == nil {
		return []string{strconv.Itoa(i + 1)}
	}
	if m := durationLike.FindStringSubmatch(v); m != nil {
		i, _ := strconv.Atoi(m[1])
		return []string{strconv.Itoa(i+1) + m[2]}
	}
	return []string{strconv.Quote(v + "x"), strconv.Quote(v + "/x")}
}
