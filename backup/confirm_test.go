package backup

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/iotest"
)

func TestConfirmProduction(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Confirmation
		in   io.Reader
		ok   bool
	}{
		{name: "flag", c: Confirmation{ConfirmProductionRestore: true}, ok: true},
		{name: "typed, one line at a time", in: iotest.OneByteReader(strings.NewReader("shop\r\nRESTORE PRODUCTION\r\n")), ok: true},
		{name: "typed without a final newline", in: strings.NewReader("shop\nRESTORE PRODUCTION"), ok: true},
		{name: "yes", c: Confirmation{Yes: true}},
		{name: "yes and y", c: Confirmation{Yes: true}, in: strings.NewReader("y\ny\n")},
		{name: "phrase first", in: strings.NewReader("RESTORE PRODUCTION\nshop\n")},
		{name: "read error", in: iotest.ErrReader(errors.New("tty gone"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs, out bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			err := confirmProduction("shop", tc.c, Prompt{In: tc.in, Out: &out}, log)
			if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrNotConfirmed) {
				t.Fatalf("confirmProduction: %v, want ok %v", err, tc.ok)
			}
			if tc.c.Yes && !strings.Contains(logs.String(), "--yes does not confirm a production restore") {
				t.Errorf("--yes was ignored silently; logs:\n%s", logs.String())
			}
			if tc.in != nil && !strings.Contains(out.String(), "Type the app name (shop)") {
				t.Errorf("prompt:\n%s", out.String())
			}
		})
	}
}

func TestConfirmYes(t *testing.T) {
	for answer, ok := range map[string]bool{"y\n": true, "YES\n": true, " yes ": true, "n\n": false, "\n": false, "": false, "sure\n": false} {
		err := confirmYes("Go?", Confirmation{}, Prompt{In: strings.NewReader(answer)})
		if ok != (err == nil) || err != nil && !errors.Is(err, ErrNotConfirmed) {
			t.Errorf("answer %q: %v", answer, err)
		}
	}
	if err := confirmYes("Go?", Confirmation{Yes: true}, Prompt{}); err != nil {
		t.Errorf("--yes: %v", err)
	}
	if err := confirmYes("Go?", Confirmation{}, Prompt{}); !errors.Is(err, ErrNotConfirmed) || !strings.Contains(err.Error(), "--yes") {
		t.Errorf("no prompt: %v", err)
	}
}
