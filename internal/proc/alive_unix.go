//go:build unix

package proc

import (
	"errors"
	"syscall"
)

// Alive reports whether a process with pid runs on this host; known is
// false when that cannot be told.
func Alive(pid int) (alive, known bool) {
	if pid <= 0 {
		return false, false
	}
	err := syscall.Kill(pid, 0)
	switch {
	case err == nil, errors.Is(err, syscall.EPERM):
		return true, true
	case errors.Is(err, syscall.ESRCH):
		return false, true
	}
	return false, false
}
