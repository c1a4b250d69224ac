package evidence

import (
	"html/template"
	"io"
)

// htmlPage is the HTML rendering: the report's blocks with
// html/template's contextual escaping of every text.
var htmlPage = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
pre, code { background: #f4f4f4; }
pre { padding: .5rem; overflow-x: auto; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
{{range .Blocks}}{{if eq .Kind "heading"}}<h2>{{template "line" .Text}}</h2>
{{else if eq .Kind "para"}}<p>{{template "line" .Text}}</p>
{{else if eq .Kind "list"}}<ul>
{{range .Items}}<li>{{template "line" .}}</li>
{{end}}</ul>
{{else if eq .Kind "table"}}<table>
<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{template "line" .}}</td>{{end}}</tr>
{{end}}</table>
{{else if eq .Kind "code"}}<pre>{{.Code}}</pre>
{{end}}{{end}}</body>
</html>
{{define "line"}}{{range .}}{{if eq .Style "code"}}<code>{{.Text}}</code>{{else if eq .Style "strong"}}<strong>{{.Text}}</strong>{{else}}{{.Text}}{{end}}{{end}}{{end}}`))

// htmlInline, htmlBlock and htmlReport expose a report to the template.
type (
	htmlInline struct{ Text, Style string }
	htmlBlock  struct {
		Kind   string
		Text   []htmlInline
		Items  [][]htmlInline
		Header []string
		Rows   [][][]htmlInline
		Code   string
	}
	htmlReport struct {
		Title  string
		Blocks []htmlBlock
	}
)

// renderHTML writes r as a standalone HTML page.
func renderHTML(r *report, w io.Writer) error {
	page := htmlReport{Title: r.title}
	kinds := map[blockKind]string{headingBlock: "heading", paraBlock: "para", listBlock: "list", tableBlock: "table", codeBlock: "code"}
	for _, bl := range r.blocks {
		hb := htmlBlock{Kind: kinds[bl.kind], Text: htmlLine(bl.text), Header: bl.header, Code: bl.code}
		for _, it := range bl.items {
			hb.Items = append(hb.Items, htmlLine(it))
		}
		for _, row := range bl.rows {
			var cells [][]htmlInline
			for _, c := range row {
				cells = append(cells, htmlLine(c))
			}
			hb.Rows = append(hb.Rows, cells)
		}
		page.Blocks = append(page.Blocks, hb)
	}
	return htmlPage.Execute(w, page)
}

// htmlLine converts a line for the template.
func htmlLine(l line) []htmlInline {
	styles := map[style]string{plain: "plain", code: "code", strong: "strong"}
	out := make([]htmlInline, len(l))
	for i, in := range l {
		out[i] = htmlInline{Text: in.text, Style: styles[in.style]}
	}
	return out
}
