package main

import (
	"context"
	"errors"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/swap"
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

// exitCode maps an error to the exit codes above. Live traffic in doubt
// wins over an interruption: the user must look.
func exitCode(ctx context.Context, err error) int {
	var (
		se   *swap.Error
		verr *config.ValidationError
		ue   usageError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &se) && se.Uncertain():
		return exitAttention
	case errors.As(err, &se) && se.SwappedBack:
		return exitSwappedBack
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return exitCanceled
	case errors.As(err, &ue), errors.As(err, &verr):
		return exitUsage
	case errors.Is(err, beanstalk.ErrLaunchFailed), errors.Is(err, acceptance.ErrFailed), errors.Is(err, beanstalk.ErrTimeout):
		return exitFailed
	case !errors.As(err, new(runError)):
		return exitUsage // cobra's own: an unknown command, stray arguments
	}
	return exitFailed
}

// runError marks an error of the operation itself (not of its
// arguments), which the command has printed already.
type runError struct{ err error }

func (e runError) Error() string { return e.err.Error() }
func (e runError) Unwrap() error { return e.err }
