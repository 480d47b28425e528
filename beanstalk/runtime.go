package beanstalk

import (
	"log/slog"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/progress"
)

// Runtime is what every operation runs with besides its AWS clients:
// the poller, the clock, and where progress and logs go. Its zero value
// is ready to use. Share one Runtime (one Monitor) between concurrent
// operations so that they share the account's Describe budget.
type Runtime struct {
	// Monitor polls Beanstalk; nil is the process-wide one for that
	// call's client and the Runtime's clock (SharedMonitor).
	Monitor *Monitor
	// Clock times the waits; nil is the Monitor's clock, else the wall clock.
	Clock clock.Clock
	// Logger receives debug details; nil discards.
	Logger *slog.Logger
	// Observer receives progress events; nil discards.
	Observer progress.Observer
}

// MonitorFor returns the Runtime's Monitor, or the process-wide one over
// api. It never writes to the Runtime: a Runtime shared between
// goroutines stays as it was.
func (r Runtime) MonitorFor(api MonitorAPI) *Monitor {
	if r.Monitor != nil {
		return r.Monitor
	}
	return SharedMonitor(api, r.Clock)
}

// Clocked returns the clock the Runtime's waits follow: its own, its
// Monitor's, or the wall clock.
func (r Runtime) Clocked() clock.Clock {
	switch {
	case r.Clock != nil:
		return r.Clock
	case r.Monitor != nil:
		return r.Monitor.Clock()
	}
	return clock.Real{}
}

// Log returns the Runtime's logger, one that discards when none is set.
func (r Runtime) Log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// Info reports a fact of step to the Observer and the Logger.
func (r Runtime) Info(step, msg string) {
	r.Observer.Emit(progress.Info{At: r.Clocked().Now(), Step: step, Message: msg})
	r.Log().Debug(msg, "step", step)
}

// Warn reports something that did not stop step but needs a look.
func (r Runtime) Warn(step, msg string) {
	r.Observer.Emit(progress.Warning{At: r.Clocked().Now(), Step: step, Message: msg})
	r.Log().Warn(msg, "step", step)
}
