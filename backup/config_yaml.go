package backup

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kamal-backup/kamal-backup/repo/retention"
)

// yamlDecoder reads values out of a parsed YAML document, recording a
// FieldError with the value's path for everything it cannot use and
// carrying on, so that one run reports every problem of a file.
type yamlDecoder struct {
	p *problems
}

// isNull reports whether n is absent or an explicit null ("key:" or
// "key: ~"), which the Ruby kamal-backup reads as not set.
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// kindName names the kind of n for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "single value"
}

// usable reports problems that make n unusable whatever is expected:
// aliases, which the Ruby kamal-backup refuses too.
func (d *yamlDecoder) usable(n *yaml.Node, at string) bool {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.p.add(at, "YAML anchors and aliases are not supported; write the value out")
		return false
	}
	return true
}

// fields calls fn for each entry of the mapping n whose key is in known,
// and reports unknown keys, repeated keys and n not being a mapping. A
// null n has no entries.
func (d *yamlDecoder) fields(n *yaml.Node, at string, known []string, fn func(key string, v *yaml.Node, at string)) {
	if isNull(n) || !d.usable(n, at) {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.p.add(at, "must be a mapping of %s, not a %s", strings.Join(known, ", "), kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.p.add(at, "keys must be names, not a %s", kindName(k))
			continue
		}
		key := k.Value
		path := childPath(at, key)
		switch {
		case seen[key]:
			d.p.add(path, "appears twice (keep one)")
		case !slices.Contains(known, key):
			if at == "" {
				if hint, ok := legacyKeys[key]; ok {
					d.p.add("", "%s is no longer supported: write %s", key, hint)
					continue
				}
			}
			d.p.unknownKey(at, key, known)
		default:
			fn(key, v, path)
		}
		seen[key] = true
	}
}

// scalar returns the text of the single value n; ok is false when n is
// null or not a single value (which is reported).
func (d *yamlDecoder) scalar(n *yaml.Node, at string) (string, bool) {
	if isNull(n) || !d.usable(n, at) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		d.p.add(at, "must be a single value, not a %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// str decodes a string.
func (d *yamlDecoder) str(n *yaml.Node, at string) setting[string] {
	v, ok := d.scalar(n, at)
	if !ok {
		return setting[string]{}
	}
	return setAt(v, at)
}

// boolean decodes a boolean, accepting the words the Ruby kamal-backup
// accepts (see parseBool).
func (d *yamlDecoder) boolean(n *yaml.Node, at string) setting[bool] {
	v, ok := d.scalar(n, at)
	if !ok {
		return setting[bool]{}
	}
	b, err := parseBool(v)
	if err != nil {
		d.p.add(at, "%v", err)
		return setting[bool]{}
	}
	return setAt(b, at)
}

// count decodes a retention count.
func (d *yamlDecoder) count(n *yaml.Node, at string) setting[int] {
	v, ok := d.scalar(n, at)
	if !ok {
		return setting[int]{}
	}
	c, err := parseCount(v)
	if err != nil {
		d.p.add(at, "%v", err)
		return setting[int]{}
	}
	return setAt(c, at)
}

// interval decodes an interval in ParseSchedule's syntax; zero is
// refused unless zeroOK.
func (d *yamlDecoder) interval(n *yaml.Node, at string, zeroOK bool) setting[time.Duration] {
	v, ok := d.scalar(n, at)
	if !ok {
		return setting[time.Duration]{}
	}
	parse := ParseSchedule
	if zeroOK {
		parse = parseInterval
	}
	t, err := parse(v)
	if err != nil {
		d.p.add(at, "%v", err)
		return setting[time.Duration]{}
	}
	return setAt(t, at)
}

// within decodes a retention duration such as "30d" or "1y6m".
func (d *yamlDecoder) within(n *yaml.Node, at string) setting[retention.Duration] {
	v, ok := d.scalar(n, at)
	if !ok {
		return setting[retention.Duration]{}
	}
	w, err := retention.ParseDuration(v)
	if err != nil {
		d.p.add(at, "%q is not a duration (write a number with y, m, d or h, such as 30d or 1y6m)", v)
		return setting[retention.Duration]{}
	}
	return setAt(w, at)
}

// list decodes a list of strings (what names an element in messages).
// Null is the empty list; a single value is a list of one when single is
// set, else an error, as in the Ruby kamal-backup.
func (d *yamlDecoder) list(n *yaml.Node, at, what string, single bool) setting[[]string] {
	if isNull(n) {
		return setAt([]string{}, at)
	}
	if !d.usable(n, at) {
		return setting[[]string]{}
	}
	if n.Kind != yaml.SequenceNode && !single {
		d.p.add(at, "must be a list (write [%s, ...])", strings.ToUpper(what))
		return setting[[]string]{}
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	out := []string{}
	for i, item := range items {
		iat := at
		if n.Kind == yaml.SequenceNode {
			iat = indexPath(at, i)
		}
		v, ok := d.scalar(item, iat)
		if !ok {
			continue
		}
		if strings.TrimSpace(v) == "" {
			d.p.add(iat, "empty %s (remove it or write one)", what)
			continue
		}
		out = append(out, v)
	}
	return setAt(out, at)
}

// sourceKinds says which forms a secret-capable value may take.
type sourceKinds struct {
	literal bool // a plain value in the file
	// legacy: a plain value is accepted (the Ruby kamal-backup took one)
	// with a warning to move it to Kamal secrets.
	legacy  bool
	file    bool   // {file: PATH}
	command bool   // {command: CMD}
	forms   string // the accepted forms, for messages
}

// source decodes a value that may come from an environment variable
// ({secret: NAME}), a file ({file: PATH}), a command ({command: CMD}) or,
// when allowed, be written out. A written-out secret is refused without
// repeating it.
func (d *yamlDecoder) source(n *yaml.Node, at string, kinds sourceKinds) setting[source] {
	if isNull(n) || !d.usable(n, at) {
		return setting[source]{}
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if !kinds.literal && !kinds.legacy {
			d.p.add(at, "a secret written in the file is not accepted (write %s, and keep the value in Kamal secrets)", kinds.forms)
			return setting[source]{}
		}
		if kinds.legacy {
			d.p.warn(at, "a secret written in the file is accepted for compatibility, but keep it in Kamal secrets instead: write "+kinds.forms)
		}
		return setAt(source{literal: n.Value, Source: Source{At: at}}, at)
	case yaml.MappingNode:
	default:
		d.p.add(at, "must be %s, not a %s", kinds.forms, kindName(n))
		return setting[source]{}
	}
	known := []string{"secret"}
	if kinds.file {
		known = append(known, "file")
	}
	if kinds.command {
		known = append(known, "command")
	}
	src := Source{At: at}
	var keys []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		key := n.Content[i].Value
		if !slices.Contains(known, key) && slices.Contains([]string{"secret", "file", "command"}, key) {
			d.p.add(childPath(at, key), "not supported here (write %s)", kinds.forms)
			return setting[source]{}
		}
	}
	d.fields(n, at, known, func(key string, v *yaml.Node, kat string) {
		s, ok := d.scalar(v, kat)
		if !ok || strings.TrimSpace(s) == "" {
			if ok || isNull(v) {
				d.p.add(kat, "empty (write %s)", kinds.forms)
			}
			return
		}
		keys = append(keys, key)
		switch key {
		case "secret":
			src.Env = strings.TrimSpace(s)
		case "file":
			src.File = strings.TrimSpace(s)
		case "command":
			src.Command = s
		}
	})
	switch {
	case len(keys) > 1:
		d.p.add(at, "write only one of %s", strings.Join(keys, ", "))
		return setting[source]{}
	case len(keys) == 0:
		if len(n.Content) == 0 {
			d.p.add(at, "empty (write %s)", kinds.forms)
		}
		return setting[source]{}
	}
	return setAt(source{Source: src}, at)
}

// parseBool reads a boolean as the Ruby kamal-backup does: 1, true, yes,
// y, on and 0, false, no, n, off, in any case.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "y", "on":
		return true, nil
	case "0", "false", "no", "n", "off":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean (write true or false)", s)
}

// parseCount reads a retention count: a whole number, 0 turning the rule
// off.
func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number (write a count such as 7, or 0 to turn the rule off)", s)
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative (write a count such as 7, or 0 to turn the rule off)", n)
	}
	return n, nil
}
