package main

import (
	"encoding"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	kbackup "github.com/kamal-backup/kamal-backup/backup"
	"github.com/kamal-backup/kamal-backup/repo"
)

// recordsDoc is the document describing the app commands' JSON records.
const recordsDoc = "../../docs/JSON_RECORDS.md"

// sharedSection is the heading of the section of recordsDoc whose fields
// every record may rely on (the header, phases, retention groups).
const sharedSection = "Shared fields"

// docRef names where fields are documented: a file and, optionally, the
// section of it whose heading holds section in backticks ("" is the
// whole file).
type docRef struct{ file, section string }

// String names the document and its section.
func (r docRef) String() string {
	if r.section == "" {
		return filepath.Base(r.file)
	}
	return filepath.Base(r.file) + " section `" + r.section + "`"
}

// documentedRecords are the records the app commands print or store, each
// with the section of recordsDoc that describes it.
var documentedRecords = []struct {
	kind string
	v    any
}{
	{kbackup.KindBackupResult, kbackup.BackupRecord{}},
	{kbackup.KindCheckResult, kbackup.CheckRecord{}},
	{kbackup.KindDrillResult, kbackup.DrillRecord{}},
	{kbackup.KindRestoreResult, kbackup.RestoreResult{}},
	{kbackup.KindPruneResult, kbackup.PruneReport{}},
	{kindValidateResult, validateResult{}},
	{kindSnapshotList, snapshotList{}},
	{kbackup.SummaryKind, kbackup.Summary{}},
	{kbackup.KindCheckRotation, kbackup.CheckRotation{}},
	{kbackup.KindVerifiedPacks, kbackup.VerifiedPacks{}},
	{kbackup.KindRowCounts, kbackup.RowCounts{}},
	{kbackup.KindNotification, kbackup.Notification{}},
	{kindEvidenceHistory, historyRecord{}},
}

// documentedElsewhere are nested types whose fields another document (or
// another record's section) describes; recordsDoc only links to it.
var documentedElsewhere = map[reflect.Type]docRef{
	reflect.TypeFor[repo.CheckResult]():     {"../../docs/CHECK_JSON.md", ""},
	reflect.TypeFor[repo.PruneResult]():     {"../../docs/CHECK_JSON.md", ""},
	reflect.TypeFor[kbackup.Summary]():      {recordsDoc, kbackup.SummaryKind},
	reflect.TypeFor[kbackup.BackupRecord](): {recordsDoc, kbackup.KindBackupResult},
}

// TestJSONRecordsDocumented fails for every JSON field of a record that
// its section of docs/JSON_RECORDS.md (or the shared section, or the
// document a nested type is described in) does not name in backticks.
func TestJSONRecordsDocumented(t *testing.T) {
	docs := map[docRef]map[string]bool{}
	named := func(ref docRef) map[string]bool {
		if m, ok := docs[ref]; ok {
			return m
		}
		m := backtickedWords(t, ref)
		if ref.file == recordsDoc && ref.section != "" {
			for w := range backtickedWords(t, docRef{recordsDoc, sharedSection}) {
				m[w] = true
			}
		}
		docs[ref] = m
		return m
	}
	data, err := os.ReadFile(recordsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range documentedRecords {
		own := docRef{recordsDoc, rec.kind}
		if !hasSection(string(data), rec.kind) {
			t.Errorf("%s has no section whose heading names `%s`", recordsDoc, rec.kind)
			continue
		}
		for _, f := range jsonFields(reflect.TypeOf(rec.v), "", own) {
			if !named(f.doc)[f.name] {
				t.Errorf("%s: field %s (`%s`) is not named in %s", rec.kind, f.path, f.name, f.doc)
			}
		}
	}
}

// TestEveryRecordKindDocumented fails for a kind constant of backup/ or
// cmd/kamal-backup/ that has no section in docs/JSON_RECORDS.md, so that
// a new record cannot go undocumented.
func TestEveryRecordKindDocumented(t *testing.T) {
	kinds := kindConstants(t, "../../backup", ".")
	if len(kinds) < len(documentedRecords) {
		t.Fatalf("found %d kind constants (%v), want at least %d", len(kinds), kinds, len(documentedRecords))
	}
	data, err := os.ReadFile(recordsDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if !hasSection(string(data), k) {
			t.Errorf("kind %q has no section (a heading naming `%s`) in %s", k, k, recordsDoc)
		}
	}
}

// TestJSONFieldsReflection checks the field collector itself: nested
// structs, slices, pointers, maps, embedded structs and json tags.
func TestJSONFieldsReflection(t *testing.T) {
	type inner struct {
		Deep string `json:"deep"`
	}
	type embedded struct {
		Promoted int `json:"promoted"`
	}
	type sample struct {
		kbackup.RecordHeader
		embedded
		Plain   string           `json:"plain,omitempty"`
		Skipped string           `json:"-"`
		Dash    string           `json:"-,"`
		List    []inner          `json:"list"`
		Ptr     *inner           `json:"ptr"`
		Map     map[string]inner `json:"map"`
		When    json.Number      `json:"when"`
		NoTag   int
		private int
	}
	var got []string
	for _, f := range jsonFields(reflect.TypeFor[sample](), "", docRef{}) {
		got = append(got, f.path)
	}
	want := []string{"schema_version", "kind", "promoted", "plain", "-", "list", "list[].deep", "ptr", "ptr.deep",
		"map", "map{}.deep", "when", "NoTag"}
	if !slices.Equal(got, want) {
		t.Errorf("jsonFields = %v\nwant %v", got, want)
	}
}

// TestDocSectionWords checks how the document is read: only the words in
// backticks of the section asked for count.
func TestDocSectionWords(t *testing.T) {
	text := "# T\n## `a_result`\n| `field_one` | `{\"packs\":N}` | plain_word |\n```json\n{\"in_example\": 1}\n```\n" +
		"`after_example`\n## `b_result`\n`field_two`\n## Shared fields\n`shared`\n"
	a, ok := section(text, "a_result")
	if !ok {
		t.Fatal("no section a_result")
	}
	w := wordsInBackticks(a)
	for _, want := range []string{"field_one", "packs", "a_result", "after_example"} {
		if !w[want] {
			t.Errorf("section a_result does not name %s: %v", want, w)
		}
	}
	for _, not := range []string{"field_two", "plain_word", "shared", "field", "in_example", "json"} {
		if w[not] {
			t.Errorf("section a_result names %s: %v", not, w)
		}
	}
	if s, ok := section(text, sharedSection); !ok || !wordsInBackticks(s)["shared"] {
		t.Errorf("shared section = %q, %v", s, ok)
	}
	if _, ok := section(text, "c_result"); ok {
		t.Error("found a section c_result")
	}
}

// jsonField is one field of a record's JSON form.
type jsonField struct {
	name string // the JSON key
	path string // where it is: "databases[].snapshot"
	doc  docRef // where it should be documented
}

// jsonFields lists the JSON fields of t, depth first, descending through
// structs, pointers, slices, arrays and map values; types that marshal
// themselves (time.Time) are leaves. doc is where the fields of t are to
// be documented, unless documentedElsewhere names another place.
func jsonFields(t reflect.Type, prefix string, doc docRef) []jsonField {
	var out []jsonField
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return jsonFields(t.Elem(), prefix+"[]", doc)
	case reflect.Map:
		return jsonFields(t.Elem(), prefix+"{}", doc)
	case reflect.Struct:
	default:
		return nil
	}
	if marshalsItself(t) {
		return nil
	}
	if ref, ok := documentedElsewhere[t]; ok && ref != doc {
		doc = ref
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && derefStruct(f.Type) {
			out = append(out, jsonFields(f.Type, prefix, doc)...)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out = append(out, jsonField{name: name, path: path, doc: doc})
		out = append(out, jsonFields(f.Type, path, doc)...)
	}
	return out
}

// derefStruct reports whether t, or what it points to, is a struct.
func derefStruct(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Struct
}

// marshalsItself reports whether t has its own JSON or text form.
func marshalsItself(t reflect.Type) bool {
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		if tt.Implements(reflect.TypeFor[json.Marshaler]()) || tt.Implements(reflect.TypeFor[encoding.TextMarshaler]()) {
			return true
		}
	}
	return false
}

// wordRE finds the words of a backticked span: `{"packs":N}` names packs.
var wordRE = regexp.MustCompile(`[A-Za-z0-9_]+`)

// backtickedWords returns the words written in backticks in ref.
func backtickedWords(t *testing.T, ref docRef) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(ref.file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if ref.section != "" {
		var ok bool
		if text, ok = section(text, ref.section); !ok {
			t.Fatalf("%s has no section whose heading names `%s`", ref.file, ref.section)
		}
	}
	return wordsInBackticks(text)
}

// wordsInBackticks returns the words written in backticks in text,
// outside fenced code blocks: an example names no field.
func wordsInBackticks(text string) map[string]bool {
	var prose []string
	fenced := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			prose = append(prose, l)
		}
	}
	words := map[string]bool{}
	spans := strings.Split(strings.Join(prose, "\n"), "`")
	for i := 1; i < len(spans); i += 2 {
		for _, w := range wordRE.FindAllString(spans[i], -1) {
			words[w] = true
		}
	}
	return words
}

// hasSection reports whether text has a heading naming name.
func hasSection(text, name string) bool {
	_, ok := section(text, name)
	return ok
}

// section returns the part of a Markdown text from the "## " heading
// that holds name (in backticks; a name of several words as plain text)
// to the next "## " heading.
func section(text, name string) (string, bool) {
	needle := "`" + name + "`"
	if strings.Contains(name, " ") {
		needle = name
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, "## ") || !strings.Contains(l, needle) {
			continue
		}
		end := len(lines)
		for j := i + 1; j < len(lines); j++ {
			if strings.HasPrefix(lines[j], "## ") {
				end = j
				break
			}
		}
		return strings.Join(lines[i:end], "\n"), true
	}
	return "", false
}

// kindRE matches the names of record kind constants: KindBackupResult,
// kindSnapshotList, SummaryKind.
var kindRE = regexp.MustCompile(`^(?:[Kk]ind[A-Z]\w*|\w+Kind)$`)

// kindConstants returns the string values of the kind constants declared
// in the non-test Go files of dirs.
func kindConstants(t *testing.T, dirs ...string) []string {
	t.Helper()
	var kinds []string
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if i >= len(vs.Values) || !kindRE.MatchString(n.Name) {
							continue
						}
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							v, err := strconv.Unquote(lit.Value)
							if err != nil {
								t.Fatal(err)
							}
							kinds = append(kinds, v)
						}
					}
				}
			}
		}
	}
	slices.Sort(kinds)
	return slices.Compact(kinds)
}
