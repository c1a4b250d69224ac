package evidence

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// The formats Render writes.
const (
	// FormatJSON is the canonical JSON: two-space indentation, fields in
	// the order of the Go structs (map keys sorted), HTML characters not
	// escaped, a final newline. The same Document always gives the same
	// bytes.
	FormatJSON = "json"
	// FormatMarkdown is the story a reviewer reads, as GitHub-flavoured
	// Markdown.
	FormatMarkdown = "markdown"
	// FormatHTML is the same story as a standalone HTML page.
	FormatHTML = "html"
)

// Formats lists the formats Render writes.
var Formats = []string{FormatJSON, FormatMarkdown, FormatHTML}

// Render writes doc to w in format (FormatJSON, FormatMarkdown or
// FormatHTML). The renderings hold only what doc holds; text is escaped
// for the format, never trusted as markup.
func Render(doc *Document, format string, w io.Writer) error {
	bw := bufio.NewWriter(w)
	var err error
	switch format {
	case FormatJSON:
		err = renderJSON(doc, bw)
	case FormatMarkdown:
		err = renderMarkdown(story(doc), bw)
	case FormatHTML:
		err = renderHTML(story(doc), bw)
	default:
		return fmt.Errorf("unknown evidence format %q (known: %v)", format, Formats)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// renderJSON writes the canonical JSON of doc.
func renderJSON(doc *Document, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
