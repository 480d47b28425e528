//go:build !unix

package acceptance

import "os/exec"

// killGroup: elsewhere, cancellation kills the process itself.
func killGroup(*exec.Cmd) {}
