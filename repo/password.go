package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// ErrNoPassword means none of the password sources is set.
var ErrNoPassword = errors.New("no repository password: set RESTIC_PASSWORD, RESTIC_PASSWORD_FILE or RESTIC_PASSWORD_COMMAND")

// PasswordFromEnv reads the repository password the way restic does: from
// RESTIC_PASSWORD, else the first line of RESTIC_PASSWORD_FILE, else the
// output of RESTIC_PASSWORD_COMMAND (run without a shell, split on
// spaces). lookup is usually os.LookupEnv. Errors never contain the
// password.
func PasswordFromEnv(ctx context.Context, lookup func(string) (string, bool)) (string, error) {
	if pw, ok := lookup("RESTIC_PASSWORD"); ok && pw != "" {
		return pw, nil
	}
	if file, ok := lookup("RESTIC_PASSWORD_FILE"); ok && file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("RESTIC_PASSWORD_FILE: %w", err)
		}
		return firstLine(b), nil
	}
	if command, ok := lookup("RESTIC_PASSWORD_COMMAND"); ok && command != "" {
		return passwordFromCommand(ctx, command)
	}
	return "", ErrNoPassword
}

func firstLine(b []byte) string {
	s := string(b)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

func passwordFromCommand(ctx context.Context, command string) (string, error) {
	args := strings.Fields(command)
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("RESTIC_PASSWORD_COMMAND %q failed: %w", args[0], err)
	}
	pw := firstLine(out)
	if pw == "" {
		return "", fmt.Errorf("RESTIC_PASSWORD_COMMAND %q printed an empty password", args[0])
	}
	return pw, nil
}
