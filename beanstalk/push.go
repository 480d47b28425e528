package beanstalk

import (
	"context"
	"slices"
	"time"
)

// Nudge says an environment changed, as Beanstalk pushed it (through
// EventBridge): a reason to look now, never a fact to act on. The
// Monitor reads Beanstalk itself when nudged.
type Nudge struct {
	Environment string
	At          time.Time // when Beanstalk says it happened; zero if unknown
}

// Nudges is a source of pushed changes. Next blocks until some arrive,
// or ctx ends; an error other than ctx's means the source is broken.
type Nudges interface {
	Next(ctx context.Context) ([]Nudge, error)
}

// startedGrace is how long after an operation's start a nudge about it is
// the operation starting (which the wait knows), not news.
const startedGrace = 3 * time.Second

// AttachPush makes the Monitor's waits wake on src's nudges. Polling goes
// on, sparsely, as a safety net: EventBridge delivers on a best-effort
// basis. One source at a time: attached is false when one already is
// (its nudges serve every wait). detach stops using src; a source that
// fails is dropped, and the waits go back to polling densely.
func (m *Monitor) AttachPush(src Nudges) (detach func(), attached bool) {
	w := m.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.push != nil {
		return func() {}, false
	}
	w.push, w.pushErr = src, nil
	if len(w.watches) > 0 {
		w.startPush()
	}
	w.replan(true)
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.push != src {
			return
		}
		w.stopPush()
		w.push = nil
		w.replan(false)
	}, true
}

// PushErr is why the attached push source was dropped, if it was.
func (m *Monitor) PushErr() error {
	m.w.mu.Lock()
	defer m.w.mu.Unlock()
	return m.w.pushErr
}

// pushing says whether a push source is attached.
func (w *watcher) pushing() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.push != nil
}

// startPush runs the loop that takes nudges while there are watches.
// Called with mu held.
func (w *watcher) startPush() {
	if w.pushCancel != nil || w.push == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	w.pushCancel = cancel
	src := w.push
	go func() {
		for {
			nudges, err := src.Next(ctx)
			if ctx.Err() != nil {
				return
			}
			w.mu.Lock()
			if err != nil {
				if w.push == src {
					w.push, w.pushErr, w.pushCancel = nil, err, nil
					w.replan(false)
				}
				w.mu.Unlock()
				cancel()
				return
			}
			w.nudged(nudges)
			w.mu.Unlock()
		}
	}()
}

// stopPush ends the nudge loop (it ends by itself soon after: the source
// honours ctx). Called with mu held.
func (w *watcher) stopPush() {
	if w.pushCancel != nil {
		w.pushCancel()
		w.pushCancel = nil
	}
}

// nudged makes every watch of a nudged environment due now. Called with
// mu held.
func (w *watcher) nudged(nudges []Nudge) {
	now := w.m.clock.Now()
	woke := false
	for _, n := range nudges {
		for wt := range w.watches {
			if !slices.Contains(wt.names, n.Environment) {
				continue
			}
			if !n.At.IsZero() && n.At.Before(wt.pred.ref.Add(startedGrace)) {
				continue // the operation starting: the wait knows
			}
			wt.plan = plan{at: now, env: true, events: wt.events}
			woke = true
		}
	}
	if woke {
		w.kick()
	}
}

// replan switches every watch's predictor to push mode or out of it, and
// plans anew. Called with mu held.
func (w *watcher) replan(push bool) {
	now := w.m.clock.Now()
	for wt := range w.watches {
		wt.pred.push = push
		if len(wt.queue) == 0 {
			wt.plan = wt.pred.next(now, false, wt.events)
		}
	}
	w.kick()
}
