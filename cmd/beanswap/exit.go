package main

import (
	"context"
	"errors"

	"github.com/beanswap/beanswap"
)

// Exit codes, for scripts and CI.
const (
	exitOK          = 0
	exitFailed      = 1   // the operation failed; live traffic was not moved
	exitUsage       = 2   // bad arguments, flags or configuration: nothing was done
	exitSwappedBack = 3   // the new version went live, failed verification, and was swapped back
	exitAttention   = 4   // live traffic may be in an unexpected place: look now
	exitCanceled    = 130 // interrupted
)

// usageError marks an error in what the user typed or configured: exit 2,
// before anything was done.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCode maps an error to the exit codes above, by the library's verdict.
func exitCode(ctx context.Context, err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	if err != nil && !errors.As(err, new(runError)) {
		return exitUsage // cobra's own: an unknown command, stray arguments
	}
	switch beanswap.VerdictOf(ctx, err) {
	case beanswap.Done:
		return exitOK
	case beanswap.Invalid:
		return exitUsage
	case beanswap.SwappedBack:
		return exitSwappedBack
	case beanswap.LookNow:
		return exitAttention
	case beanswap.Interrupted:
		return exitCanceled
	}
	return exitFailed
}

// runError marks an error of the operation itself (not of its
// arguments), which the command has printed already.
type runError struct{ err error }

func (e runError) Error() string { return e.err.Error() }
func (e runError) Unwrap() error { return e.err }
