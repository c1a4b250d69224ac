package evidence

import (
	"io"
	"strings"
)

// mdSpecial are the characters escaped in Markdown text.
var mdSpecial = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `#`, `\#`, `|`, `\|`, "\r", " ", "\n", " ")

// renderMarkdown writes r as GitHub-flavoured Markdown.
func renderMarkdown(r *report, w io.Writer) error {
	var b strings.Builder
	b.WriteString("# " + mdSpecial.Replace(r.title) + "\n")
	for _, bl := range r.blocks {
		b.WriteString("\n")
		switch bl.kind {
		case headingBlock:
			b.WriteString("## " + mdLine(bl.text, false) + "\n")
		case paraBlock:
			b.WriteString(mdLine(bl.text, false) + "\n")
		case listBlock:
			for _, it := range bl.items {
				b.WriteString("- " + mdLine(it, false) + "\n")
			}
		case tableBlock:
			mdTable(&b, bl)
		case codeBlock:
			fence := strings.Repeat("`", max(3, longestRun(bl.code, '`')+1))
			b.WriteString(fence + "text\n" + bl.code + "\n" + fence + "\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdTable writes a table block.
func mdTable(b *strings.Builder, bl block) {
	b.WriteString("|")
	for _, h := range bl.header {
		b.WriteString(" " + mdSpecial.Replace(h) + " |")
	}
	b.WriteString("\n|")
	for range bl.header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range bl.rows {
		b.WriteString("|")
		for _, cell := range row {
			b.WriteString(" " + mdLine(cell, true) + " |")
		}
		b.WriteString("\n")
	}
}

// mdLine renders a line of inline parts; in a table cell, pipes in code
// spans are escaped too, as GitHub's tables require.
func mdLine(l line, inTable bool) string {
	var b strings.Builder
	for _, in := range l {
		switch in.style {
		case code:
			b.WriteString(mdCode(in.text, inTable))
		case strong:
			b.WriteString("**" + mdSpecial.Replace(in.text) + "**")
		default:
			b.WriteString(mdSpecial.Replace(in.text))
		}
	}
	return b.String()
}

// mdCode renders a code span whose fence is longer than any run of
// backticks in s.
func mdCode(s string, inTable bool) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// longestRun returns the length of the longest run of c in s.
func longestRun(s string, c byte) int {
	best, n := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
			best = max(best, n)
		} else {
			n = 0
		}
	}
	return best
}
