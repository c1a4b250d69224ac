package redact

import (
	"encoding/json"
	"testing"
)

// TestRedactJSON redacts string values only, keeps keys, numbers and
// order, and stays valid JSON when a secret sits next to escapes.
func TestRedactJSON(t *testing.T) {
	r := &Redactor{}
	r.Add("s3cr3t-value")
	in := `{"password":"s3cr3t-value","n":1.50,"list":["a \"s3cr3t-value\" b",null,true],"s3cr3t-value":"key stays"}`
	out, err := r.RedactJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"password":"[REDACTED]","n":1.50,"list":["a \"[REDACTED]\" b",null,true],"s3cr3t-value":"key stays"}`
	if string(out) != want || !json.Valid(out) {
		t.Errorf("RedactJSON:\n got %s\nwant %s", out, want)
	}
	if _, err := r.RedactJSON([]byte(`{"a":`)); err == nil {
		t.Error("truncated JSON accepted")
	}
}
