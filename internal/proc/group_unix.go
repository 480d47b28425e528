//go:build unix

package proc

import (
	"os/exec"
	"syscall"
)

// KillGroupOnCancel starts cmd in a process group of its own and makes
// its cancellation kill the whole group: a child it left behind would
// otherwise keep running, and keep its output pipes open.
func KillGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
