package backup

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// ProductionConfirmPhrase is what the operator types, after the app name,
// to confirm a production restore.
const ProductionConfirmPhrase = "RESTORE PRODUCTION"

// Confirmation is what the operator confirmed in advance, on the command
// line.
type Confirmation struct {
	// Yes answers yes to the prompt of a local restore and of drills
	// (--yes). It has deliberately no effect on a production restore,
	// which replaces live data: an automation that passes --yes to every
	// command must not be able to restore production by accident. Use
	// ConfirmProductionRestore for that.
	Yes bool
	// ConfirmProductionRestore confirms a production restore without the
	// typed prompt (--confirm-production-restore).
	ConfirmProductionRestore bool
}

// Prompt is where the operator is asked and answers.
type Prompt struct {
	// In holds the answers, a line each. Nil means nobody can answer, so
	// only a Confirmation given in advance confirms.
	In io.Reader
	// Out receives the plan and the questions; nil discards them.
	Out io.Writer
}

// confirmProduction asks for the typed confirmation of a production
// restore of app: the app name, then ProductionConfirmPhrase. c.Yes is
// ignored (and logged as such).
func confirmProduction(app string, c Confirmation, p Prompt, log *slog.Logger) error {
	if c.ConfirmProductionRestore {
		return nil
	}
	if c.Yes {
		log.Warn("--yes does not confirm a production restore; type the confirmation or pass --confirm-production-restore")
	}
	if p.In == nil {
		return fmt.Errorf("%w: a production restore needs the typed confirmation or --confirm-production-restore", ErrNotConfirmed)
	}
	in := bufio.NewReader(p.In)
	for _, want := range []string{app, ProductionConfirmPhrase} {
		what := fmt.Sprintf("the app name (%s)", app)
		if want == ProductionConfirmPhrase {
			what = ProductionConfirmPhrase
		}
		ask(p.Out, fmt.Sprintf("This replaces live production data. Type %s to continue: ", what))
		got, err := readAnswer(in)
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%w: expected %q, got %q; nothing was restored", ErrNotConfirmed, want, got)
		}
	}
	return nil
}

// confirmYes asks question, a yes/no question, unless c.Yes answers it.
func confirmYes(question string, c Confirmation, p Prompt) error {
	if c.Yes {
		return nil
	}
	if p.In == nil {
		return fmt.Errorf("%w: answer the prompt or pass --yes", ErrNotConfirmed)
	}
	ask(p.Out, question+" [y/N] ")
	got, err := readAnswer(bufio.NewReader(p.In))
	if err != nil {
		return err
	}
	switch strings.ToLower(got) {
	case "y", "yes":
		return nil
	}
	return fmt.Errorf("%w: answered %q", ErrNotConfirmed, got)
}

// ask writes a question to w, if any.
func ask(w io.Writer, q string) {
	if w != nil {
		_, _ = io.WriteString(w, q)
	}
}

// readAnswer reads one line, without its line ending and surrounding
// spaces. The end of the input before any answer is no confirmation.
func readAnswer(in *bufio.Reader) (string, error) {
	line, err := in.ReadString('\n')
	if err != nil && (!errors.Is(err, io.EOF) || line == "") {
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%w: no answer (end of input)", ErrNotConfirmed)
		}
		return "", fmt.Errorf("%w: read the answer: %v", ErrNotConfirmed, err)
	}
	return strings.TrimSpace(line), nil
}
