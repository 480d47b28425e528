//go:build !unix

package proc

import "os/exec"

// KillGroupOnCancel: elsewhere, cancellation kills the process itself.
func KillGroupOnCancel(*exec.Cmd) {}
