package beanstalk

import (
	"strings"
	"time"
)

// Polling intervals.
const (
	denseInterval = 2 * time.Second  // around a state change that is due
	lateInterval  = 3 * time.Second  // the longest step once a change is late
	priorFirst    = 5 * time.Second  // nothing learned: the first poll
	priorMax      = 15 * time.Second // nothing learned: the longest sleep
	eventsEvery   = time.Minute      // events at least this often when wanted
	eventSlack    = time.Second      // an event is read this long after it is due
	// opening is an operation's first seconds: what happens in them comes
	// with its start, and tells nothing of its pace.
	opening = 5 * time.Second

	// With changes pushed, polls are a safety net: a change not pushed
	// within pushGrace of when it was due is looked for, then every
	// pushLate; with nothing learned, every pushPrior.
	pushGrace  = 30 * time.Second
	pushLate   = 15 * time.Second
	pushPrior  = 30 * time.Second
	pushEvents = 2 * time.Minute // events at least this often when wanted
)

// plan is the next poll a watch needs: when, and what it reads.
type plan struct {
	at     time.Time
	env    bool // DescribeEnvironments
	events bool // DescribeEvents
}

// predictor plans one wait's polls. State changes are what a wait is
// for, so their polls start a little before each is due and go densely
// until it is seen; events are known by their dates, so they are read
// just after they are due, for the pace (the exact dates rescale the
// rest of the timeline) and for failures, which happen at the steps
// those events mark.
type predictor struct {
	ref     time.Time // the operation's start
	learned *timeline
	fixed   time.Duration
	seen    map[string]time.Time
	// anchorAt is the latest learned mark seen, anchorOf its learned
	// offset; scale is how fast this run goes compared with the learned.
	anchorAt time.Time
	anchorOf time.Duration
	scale    float64

	push        bool                 // changes are pushed: polls are a safety net
	predicted   map[string]time.Time // what was predicted, for learning
	lateFrom    map[string]time.Time // when each mark's dense polls began
	interval    time.Duration        // the prior's current backoff
	first       time.Duration        // the prior's first interval
	maxInterval time.Duration        // and its longest
	lastEvents  time.Time
}

func newPredictor(ref time.Time, learned *timeline, fixed time.Duration) *predictor {
	return &predictor{ref: ref, learned: learned, fixed: fixed, seen: map[string]time.Time{}, scale: 1,
		predicted: map[string]time.Time{}, lateFrom: map[string]time.Time{},
		interval: priorFirst, first: priorFirst, maxInterval: priorMax, lastEvents: ref}
}

// observe records a mark seen at t (exact, or as well as known).
func (p *predictor) observe(sig string, t time.Time) {
	if _, ok := p.seen[sig]; ok {
		return
	}
	p.seen[sig] = t
	if p.learned == nil {
		return
	}
	for _, m := range p.learned.marks {
		if m.sig == sig && m.off > 0 && t.After(p.ref) && m.off >= p.anchorOf {
			p.anchorAt, p.anchorOf = t, m.off
			p.scale = float64(t.Sub(p.ref)) / float64(m.off)
			p.scale = min(max(p.scale, 0.5), 2) // one odd run does not throw the plan
		}
	}
}

// at predicts when the learned mark m happens in this run.
func (p *predictor) at(m mark) time.Time {
	if p.anchorAt.IsZero() {
		return p.ref.Add(time.Duration(float64(m.off) * p.scale))
	}
	return p.anchorAt.Add(time.Duration(float64(m.off-p.anchorOf) * p.scale))
}

// window is how early before a predicted state change dense polling
// starts: three times the typical error of its prediction, at most a
// tenth of the time since the last mark seen (the pace is known that
// far), a twentieth while the error is unknown; a second at least.
func (p *predictor) window(m mark) time.Duration {
	since := m.off - p.anchorOf
	if m.errs < 0 {
		return since/20 + time.Second
	}
	return min(max(3*m.errs+500*time.Millisecond, time.Second), since/10+time.Second)
}

// slack is how long after its predicted date an event is read: twice
// the typical error of the prediction, or a tenth of the time since the
// last mark seen while that is unknown, and a second for the clocks.
func (p *predictor) slack(m mark) time.Duration {
	if m.errs < 0 {
		return (m.off-p.anchorOf)/10 + eventSlack
	}
	return 2*m.errs + eventSlack
}

// next plans the poll after one at now; changed tells whether that poll
// saw anything new, wantEvents whether the wait wants events at all.
func (p *predictor) next(now time.Time, changed, wantEvents bool) plan {
	switch {
	case p.fixed > 0:
		return plan{at: now.Add(p.fixed), env: true, events: true}
	case p.push:
		return p.safetyNet(now, wantEvents)
	case p.learned == nil:
		return p.prior(now, changed, wantEvents)
	}
	calibrated := !p.anchorAt.IsZero()
	var state, event *plan
	for _, m := range p.learned.marks {
		if _, ok := p.seen[m.sig]; ok {
			continue
		}
		switch {
		case m.event && event != nil, !m.event && state != nil:
			continue // the first of each kind is planned for
		case m.event && !wantEvents && calibrated:
			continue // the pace, once known, is all a wait without events needs them for
		}
		due := p.at(m)
		w := p.window(m)
		if now.After(due.Add(4*w + 10*time.Second)) {
			continue // long overdue: this run took another path
		}
		if _, ok := p.predicted[m.sig]; !ok {
			p.predicted[m.sig] = due
		}
		if m.event {
			event = &plan{at: p.dense(m.sig, now, due.Add(p.slack(m)), w), events: true}
		} else {
			state = &plan{at: p.dense(m.sig, now, due.Add(-w), w), env: true}
		}
		if state != nil && event != nil {
			break
		}
	}
	var out plan
	switch {
	case state == nil && event == nil:
		return p.prior(now, changed, wantEvents)
	case state == nil:
		out = *event
	case event == nil || state.at.Before(event.at.Add(-2*time.Second)):
		out = *state
	case event.at.Before(state.at.Add(-2 * time.Second)):
		out = *event
	default: // due together: one poll reads both
		out = plan{at: state.at, env: true, events: true}
	}
	if wantEvents && p.lastEvents.Equal(p.ref) {
		out.events = true // what the operation reported at its start, shown at once
	}
	if wantEvents && out.at.Sub(p.lastEvents) > eventsEvery*3/2 {
		// Errors can come between marks: read events about once a
		// minute (or a little later, when a mark is due then).
		return plan{at: maxTime(now, p.lastEvents.Add(eventsEvery)), events: true}
	}
	return out
}

// safetyNet plans the poll when changes are pushed: shortly after the
// next state change was due (had its push been lost), then every
// pushLate; events (failures are pushed too) every pushEvents.
func (p *predictor) safetyNet(now time.Time, wantEvents bool) plan {
	at := now.Add(pushPrior)
	if p.learned != nil {
		for _, m := range p.learned.marks {
			if _, ok := p.seen[m.sig]; ok || m.event {
				continue
			}
			due := p.at(m).Add(p.window(m) + pushGrace)
			if now.After(due.Add(4 * pushLate)) {
				continue // long overdue: this run took another path
			}
			if _, ok := p.predicted[m.sig]; !ok {
				p.predicted[m.sig] = p.at(m)
			}
			at = maxTime(due, now.Add(pushLate))
			if due.After(now) {
				at = due
			}
			break
		}
	}
	events := wantEvents && !at.Before(p.lastEvents.Add(pushEvents))
	return plan{at: at, env: true, events: events}
}

// dense is the poll for a mark whose polls start at start: then, or, once
// started, every denseInterval (a quarter of a wide window, up to
// lateInterval), slowing down once it is later than its window.
func (p *predictor) dense(sig string, now, start time.Time, w time.Duration) time.Time {
	if start.After(now) {
		return start
	}
	from, ok := p.lateFrom[sig]
	if !ok {
		from = now
		p.lateFrom[sig] = now
	}
	step := min(max(denseInterval, w/4), lateInterval-time.Second)
	if late := now.Sub(from); late > w {
		step = min(denseInterval+(late-w)/4, lateInterval)
	}
	return now.Add(step)
}

// prior plans when nothing (more) is learned: a backoff from first to
// maxInterval, back to first at each change.
func (p *predictor) prior(now time.Time, changed, wantEvents bool) plan {
	if changed {
		p.interval = p.first
	} else {
		p.interval = min(p.interval*3/2, p.maxInterval)
	}
	return plan{at: now.Add(p.interval), env: true, events: wantEvents}
}

// sawEvents: events after the operation's opening reached the wait
// (what its kind needs to learn its pace from them).
func (p *predictor) sawEvents() bool {
	for sig, t := range p.seen {
		if strings.HasPrefix(sig, "event:") && t.Sub(p.ref) >= opening {
			return true
		}
	}
	return false
}

// errors are this run's prediction errors, by mark, for learning.
func (p *predictor) errors() map[string]time.Duration {
	out := map[string]time.Duration{}
	for sig, pred := range p.predicted {
		if t, ok := p.seen[sig]; ok {
			d := t.Sub(pred)
			if d < 0 {
				d = -d
			}
			out[sig] = d
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
