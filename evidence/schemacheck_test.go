package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// schema is a JSON Schema (draft 2020-12) with the keywords
// docs/evidence.schema.json uses: $ref (to #/$defs/...), type, const,
// enum, anyOf, required, properties, additionalProperties, items,
// minimum and maximum. Any other keyword, except annotations, fails the
// test, so the checker never silently ignores a constraint.
type schema struct {
	root map[string]any
}

// loadSchema reads the evidence schema.
func loadSchema(t *testing.T) *schema {
	t.Helper()
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s := &schema{root: decodeJSON(t, data).(map[string]any)}
	if err := s.supported(s.root, "#"); err != nil {
		t.Fatal(err)
	}
	return s
}

// decodeJSON decodes data keeping numbers as json.Number.
func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// annotations are keywords that do not constrain.
var annotations = []string{"$schema", "$id", "$defs", "title", "description", "format"}

// keywords are the constraints the checker implements.
var keywords = []string{"$ref", "type", "const", "enum", "anyOf", "required", "properties",
	"additionalProperties", "items", "minimum", "maximum"}

// supported reports a keyword the checker does not implement anywhere
// in the schema node.
func (s *schema) supported(node map[string]any, at string) error {
	for k, v := range node {
		if !slices.Contains(annotations, k) && !slices.Contains(keywords, k) {
			return fmt.Errorf("schema %s: keyword %q is not supported by the test's checker", at, k)
		}
		var subs []map[string]any
		switch k {
		case "properties", "$defs":
			for _, p := range v.(map[string]any) {
				subs = append(subs, p.(map[string]any))
			}
		case "items", "additionalProperties":
			if m, ok := v.(map[string]any); ok {
				subs = append(subs, m)
			}
		case "anyOf":
			for _, p := range v.([]any) {
				subs = append(subs, p.(map[string]any))
			}
		}
		for _, sub := range subs {
			if err := s.supported(sub, at+"/"+k); err != nil {
				return err
			}
		}
	}
	return nil
}

// validate returns every violation of v, each starting with its path.
func (s *schema) validate(v any) []string { return s.check(s.root, v, "$") }

// check validates v against the schema node.
func (s *schema) check(node map[string]any, v any, at string) []string {
	if ref, ok := node["$ref"].(string); ok {
		return s.check(s.resolve(ref), v, at)
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if ty, ok := node["type"]; ok && !typeMatches(ty, v) {
		fail("%s is not of type %v", short(v), ty)
		return errs
	}
	if c, ok := node["const"]; ok && !equalJSON(c, v) {
		fail("%s is not %v", short(v), c)
	}
	if enum, ok := node["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return equalJSON(e, v) }) {
		fail("%s is not one of %v", short(v), enum)
	}
	if anyOf, ok := node["anyOf"].([]any); ok {
		var all []string
		matched := false
		for _, alt := range anyOf {
			sub := s.check(alt.(map[string]any), v, at)
			if len(sub) == 0 {
				matched = true
				break
			}
			all = append(all, sub...)
		}
		if !matched {
			fail("%s matches no alternative: %s", short(v), strings.Join(all, "; "))
		}
	}
	if n, ok := v.(json.Number); ok {
		f, _ := n.Float64()
		if m, ok := node["minimum"].(json.Number); ok {
			if lo, _ := m.Float64(); f < lo {
				fail("%s is below %s", n, m)
			}
		}
		if m, ok := node["maximum"].(json.Number); ok {
			if hi, _ := m.Float64(); f > hi {
				fail("%s is above %s", n, m)
			}
		}
	}
	if obj, ok := v.(map[string]any); ok {
		errs = append(errs, s.checkObject(node, obj, at)...)
	}
	if arr, ok := v.([]any); ok {
		if items, ok := node["items"].(map[string]any); ok {
			for i, e := range arr {
				errs = append(errs, s.check(items, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

// checkObject validates an object's required, properties and
// additionalProperties.
func (s *schema) checkObject(node map[string]any, obj map[string]any, at string) []string {
	var errs []string
	if req, ok := node["required"].([]any); ok {
		for _, r := range req {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: missing %s", at, r))
			}
		}
	}
	props, _ := node["properties"].(map[string]any)
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		path := at + "." + k
		if p, ok := props[k]; ok {
			errs = append(errs, s.check(p.(map[string]any), obj[k], path)...)
			continue
		}
		switch ap := node["additionalProperties"].(type) {
		case bool:
			if !ap {
				errs = append(errs, path+": not allowed")
			}
		case map[string]any:
			errs = append(errs, s.check(ap, obj[k], path)...)
		}
	}
	return errs
}

// resolve returns the schema node ref ("#/$defs/name") points at.
func (s *schema) resolve(ref string) map[string]any {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok {
		panic("unsupported $ref " + ref)
	}
	return s.root["$defs"].(map[string]any)[name].(map[string]any)
}

// typeMatches reports whether v has the JSON type ty (a name or a list
// of names).
func typeMatches(ty, v any) bool {
	if list, ok := ty.([]any); ok {
		return slices.ContainsFunc(list, func(t any) bool { return typeMatches(t, v) })
	}
	switch ty {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		_, err := n.Int64()
		return ok && err == nil
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	panic(fmt.Sprintf("unknown type %v", ty))
}

// equalJSON compares decoded JSON values, numbers by value.
func equalJSON(a, b any) bool {
	an, aok := a.(json.Number)
	bn, bok := b.(json.Number)
	if aok && bok {
		af, _ := an.Float64()
		bf, _ := bn.Float64()
		return af == bf
	}
	return reflect.DeepEqual(a, b)
}

// short abbreviates a value for messages.
func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}
