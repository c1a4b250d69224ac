//go:build !unix

package rclone

import "os/exec"

// setProcAttr does nothing where process groups do not exist.
func setProcAttr(*exec.Cmd) {}
