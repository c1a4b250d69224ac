package evidence

// report is the human form of a Document, shared by the Markdown and
// HTML renderings: a title and blocks of text whose inline parts say
// how they are shown, never pre-escaped.
type report struct {
	title  string
	blocks []block
}

// style is how an inline part is shown.
type style int

const (
	plain  style = iota
	code         // an identifier, path or command
	strong       // a verdict
)

// inline is a part of a line of text.
type inline struct {
	text  string
	style style
}

// line is a paragraph, a list item or a table cell.
type line []inline

// blockKind says what a block is.
type blockKind int

const (
	headingBlock blockKind = iota
	paraBlock
	listBlock
	tableBlock
	codeBlock
)

// block is one element of a report.
type block struct {
	kind   blockKind
	text   line     // heading, paragraph
	items  []line   // list
	header []string // table
	rows   [][]line // table
	code   string   // preformatted text
}

// txt, cod and bold make inline parts.
func txt(s string) inline  { return inline{s, plain} }
func cod(s string) inline  { return inline{s, code} }
func bold(s string) inline { return inline{s, strong} }

// heading, para, list, table and pre add blocks to the report.
func (r *report) heading(s string) {
	r.blocks = append(r.blocks, block{kind: headingBlock, text: line{txt(s)}})
}
func (r *report) para(parts ...inline) {
	r.blocks = append(r.blocks, block{kind: paraBlock, text: parts})
}
func (r *report) list(items ...line) {
	r.blocks = append(r.blocks, block{kind: listBlock, items: items})
}
func (r *report) pre(s string) { r.blocks = append(r.blocks, block{kind: codeBlock, code: s}) }
func (r *report) table(header []string, rows [][]line) {
	r.blocks = append(r.blocks, block{kind: tableBlock, header: header, rows: rows})
}
