//go:build unix

package acceptance

import (
	"os/exec"
	"syscall"
)

// killGroup makes cancellation kill the command's whole process group: a
// test runner's children would otherwise keep its output pipes open.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
