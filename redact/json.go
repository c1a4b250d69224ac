package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// RedactJSON returns the JSON document data with every string value
// passed through Redact. Keys, numbers and the document's structure and
// order are kept, so the result is always valid JSON (redacting the text
// as a whole could cut into escapes and quotes). It fails only on data
// that is not JSON. A nil Redactor applies the patterns only.
func (r *Redactor) RedactJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out bytes.Buffer
	type level struct {
		object bool
		items  int // tokens written at this level (keys and values)
	}
	var stack []level
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) && len(stack) == 0 {
				break
			}
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		isKey := false
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			closing := tok == json.Delim('}') || tok == json.Delim(']')
			if !closing {
				switch {
				case top.object && top.items%2 == 0:
					isKey = true
					if top.items > 0 {
						out.WriteByte(',')
					}
				case top.object:
					out.WriteByte(':')
				case top.items > 0:
					out.WriteByte(',')
				}
				top.items++
			}
		}
		switch v := tok.(type) {
		case json.Delim:
			out.WriteRune(rune(v))
			if v == '{' || v == '[' {
				stack = append(stack, level{object: v == '{'})
			} else {
				stack = stack[:len(stack)-1]
			}
		case string:
			if !isKey {
				v = r.Redact(v)
			}
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			out.Write(b)
		case json.Number:
			out.WriteString(v.String())
		case bool:
			fmt.Fprint(&out, v)
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), nil
}
