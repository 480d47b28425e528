package beanswap

import (
	"context"
	"errors"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/swap"
)

// Verdict is what an operation's outcome asks of its caller: the CLI's
// exit codes, and what a tool embedding beanswap should do next.
type Verdict int

const (
	// Done: the operation did what it was asked.
	Done Verdict = iota
	// Failed: it failed, and live traffic was not moved.
	Failed
	// Invalid: bad input or configuration; nothing was done.
	Invalid
	// SwappedBack: the new version went live, failed its verification,
	// and live traffic is back where it was.
	SwappedBack
	// LookNow: live traffic may be somewhere unexpected (a swap whose end
	// was not seen, a swap back that failed, a live host record not
	// updated): look now.
	LookNow
	// Interrupted: the operation was cancelled; live traffic was not moved.
	Interrupted
)

func (v Verdict) String() string {
	return [...]string{"done", "failed", "invalid", "swapped back", "look now", "interrupted"}[v]
}

// VerdictOf classifies an operation's error. Live traffic in doubt wins
// over an interruption: the caller must look.
func VerdictOf(ctx context.Context, err error) Verdict {
	var (
		se   *swap.Error
		re   *swap.RecordError
		verr *config.ValidationError
	)
	switch {
	case err == nil:
		return Done
	case errors.As(err, &se) && se.Uncertain(), errors.As(err, &re):
		return LookNow
	case errors.As(err, &se) && se.SwappedBack:
		return SwappedBack
	case (ctx != nil && ctx.Err() != nil) || errors.Is(err, context.Canceled):
		return Interrupted
	case errors.As(err, &verr), errors.Is(err, ErrIncomplete), errors.Is(err, ErrInvalidImage),
		errors.Is(err, ErrNoInstanceProfile), errors.Is(err, dockercfg.ErrImageNotFound), errors.Is(err, dockercfg.ErrPullDenied):
		return Invalid
	}
	return Failed
}
