package evidence

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// redactJSON returns the JSON document data with every string, object
// keys included, passed through clean. The structure, the order of keys
// and numbers are kept exactly; only string contents change. Redacting
// the encoded text as a whole could break the JSON (a database named
// "auth" is a secret-looking key to a redactor), so strings are cleaned
// one by one.
func redactJSON(data []byte, clean func(string) string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	type frame struct {
		object bool
		n      int // tokens written in this container
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("redact: %w", err)
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out.WriteByte(byte(d))
			continue
		}
		if len(stack) > 0 {
			f := &stack[len(stack)-1]
			switch {
			case f.object && f.n%2 == 1:
				out.WriteByte(':')
			case f.n > 0:
				out.WriteByte(',')
			}
			f.n++
		}
		switch t := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(t))
			stack = append(stack, frame{object: t == '{'})
		case string:
			if err := enc.Encode(clean(t)); err != nil {
				return nil, err
			}
			out.Truncate(out.Len() - 1) // Encode's newline
		case json.Number:
			out.WriteString(t.String())
		case bool:
			fmt.Fprint(&out, t)
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), nil
}

// redactDocument returns doc with every string cleaned by clean.
func redactDocument(doc *Document, clean func(string) string) (*Document, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode evidence: %w", err)
	}
	data, err = redactJSON(data, clean)
	if err != nil {
		return nil, err
	}
	var out Document
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode redacted evidence: %w", err)
	}
	return &out, nil
}
