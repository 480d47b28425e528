package beanstalk

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// The watcher is the Monitor's one poller: every wait in the process is
// a watch on it, and every poll serves them all — one DescribeEnvironments
// for every watched environment (whatever its application), one
// DescribeEvents stream from the oldest watch that needs events, fanned
// out. Each watch says when it needs the next poll (its predictor); the
// watcher polls at the earliest of those, gathering those due within a
// moment. Its goroutine runs while there are watches and stops with the
// last one.
type watcher struct {
	m *Monitor

	mu      sync.Mutex
	watches map[*watch]struct{}
	running bool
	wake    context.CancelFunc // interrupts the loop's sleep
	kicked  chan struct{}      // wakes a loop with nothing to poll for
	learned timelines
	// reads are the point reads waiting for the next poll, the first
	// of them due at readsAt.
	reads    []*readReq
	readsAt  time.Time
	lastPoll time.Time
	// push, when attached, nudges the watches; its loop runs while there
	// are watches.
	push       Nudges
	pushErr    error
	pushCancel context.CancelFunc
}

func newWatcher(m *Monitor) *watcher {
	return &watcher{m: m, watches: map[*watch]struct{}{}, kicked: make(chan struct{}, 1)}
}

const (
	// gather is how far ahead a poll serves watches due soon after it.
	gather = 500 * time.Millisecond
	// readGather is how long a point read waits for others to share
	// its call.
	readGather = 200 * time.Millisecond
	// minGap is the least time between two polls of one wait; the gap
	// grows with the number of waits (each poll serves them all), up to
	// maxGap, so that the calls of a fleet grow with time, not with
	// deploys.
	minGap = time.Second
	maxGap = 4 * time.Second
)

// watch is one wait, registered with the watcher.
type watch struct {
	app    string
	names  []string
	key    string // what is learned under
	events bool   // it wants Beanstalk's events (failures, progress)
	from   time.Time

	// Guarded by the watcher's mu:
	pred       *predictor
	plan       plan
	eventsRead bool // some poll read events for it
	deadline   time.Time
	queue      []snapshot
	signal     chan struct{}
	status     map[string][2]string // last status and health seen, by name
	given      map[string]time.Time // events given to it, by key, with their dates
	judging    bool                 // its wait took the last snapshot and has not asked again
	polledAt   time.Time
}

// snapshot is one poll, as one watch sees it.
type snapshot struct {
	at   time.Time
	read bool // envs were read (else the poll read only events)
	// readAt is when the environments were read: the events read after
	// them may have waited (throttled, in the budget's queue) long
	// enough that what they lack is older news than at says.
	readAt time.Time
	envs   []types.EnvironmentDescription
	events []types.EventDescription // at or after the watch's from
	err    error
}

// add registers a watch whose first poll is first.
func (w *watcher) add(wt *watch, first plan) {
	w.mu.Lock()
	defer w.mu.Unlock()
	wt.signal = make(chan struct{}, 1)
	wt.plan = first
	wt.status = map[string][2]string{}
	wt.given = map[string]time.Time{}
	wt.pred.push = w.push != nil
	w.watches[wt] = struct{}{}
	w.startPush()
	w.start()
}

// start kicks the loop, starting it when it is not running. Called with
// mu held.
func (w *watcher) start() {
	w.kick()
	if !w.running {
		w.running = true
		go w.run()
	}
}

// remove unregisters a watch; learn, when set, records its timeline.
// A wait that read no events (a termination's) learns theirs with one
// read at the end, unless what it learned before has them, the polls
// made for other waits brought them (learnsEvents) or it was over at
// once: they are what later waits of its kind take their pace from.
// That read is made only with a call to spare: behind a fleet's queue it
// held a deploy's swap up for 41 s, for nothing the deploy needed.
func (w *watcher) remove(ctx context.Context, wt *watch, learn bool) {
	w.mu.Lock()
	delete(w.watches, wt)
	if len(w.watches) == 0 {
		w.stopPush()
	}
	w.kick()
	pred, eventsRead := wt.pred, wt.eventsRead
	w.mu.Unlock()
	if !learn || pred.fixed > 0 {
		return
	}
	if !eventsRead && !hasEvents(pred.learned) && !pred.sawEvents() && w.m.clock.Now().Sub(pred.ref) > 10*time.Second {
		if events, err := w.events(ctx, spendSpare, pred.ref, map[string]bool{wt.app: true}); err == nil {
			for _, ev := range events {
				if i := slices.Index(wt.names, aws.ToString(ev.EnvironmentName)); i >= 0 && sameApp(ev.ApplicationName, wt.app) {
					pred.observe(eventSig(i, aws.ToString(ev.Message)), aws.ToTime(ev.EventDate))
				}
			}
		}
	}
	var marks []mark
	for sig, t := range pred.seen {
		if off := t.Sub(pred.ref); off >= 0 {
			marks = append(marks, mark{sig: sig, off: off, event: strings.HasPrefix(sig, "event:")})
		}
	}
	slices.SortFunc(marks, func(a, b mark) int { return int(a.off - b.off) })
	w.learned.learn(wt.key, marks, pred.errors())
}

// learnsEvents: the wait does not want events, but its kind has none
// learned yet; it takes those of the polls that read them anyway (for
// other waits), so that it may not need a read of its own at its end.
// Called with the watcher's mu held.
func (wt *watch) learnsEvents() bool {
	return !wt.events && wt.pred.fixed == 0 && !hasEvents(wt.pred.learned)
}

func hasEvents(t *timeline) bool {
	return t != nil && slices.ContainsFunc(t.marks, func(m mark) bool { return m.event && m.off >= opening })
}

// kick interrupts the loop's sleep, to replan. Called with mu held.
func (w *watcher) kick() {
	if w.wake != nil {
		w.wake()
	}
	select {
	case w.kicked <- struct{}{}:
	default:
	}
}

// gap is the least time between polls, for as many waits as there are.
// Called with mu held.
func (w *watcher) gap() time.Duration {
	return min(minGap+time.Duration(len(w.watches)-1)*minGap/25, maxGap)
}

// dueAt is when a watch needs a poll; ok is false while its wait has not
// taken the last one, or is still judging it (a watch is polled for no
// faster than it reads).
func (wt *watch) dueAt() (time.Time, bool) {
	if len(wt.queue) > 0 || wt.judging {
		return time.Time{}, false
	}
	d := wt.plan.at
	if !wt.deadline.IsZero() && wt.deadline.Before(d) {
		d = wt.deadline
	}
	return d, true
}

// next blocks until the watch's next snapshot, or ctx ends.
func (w *watcher) next(ctx context.Context, wt *watch) (snapshot, error) {
	w.mu.Lock()
	if wt.judging {
		wt.judging = false
		w.kick() // done with the last one: it may be due again
	}
	w.mu.Unlock()
	for {
		w.mu.Lock()
		if len(wt.queue) > 0 {
			s := wt.queue[0]
			wt.queue = wt.queue[1:]
			wt.judging = len(wt.queue) == 0
			w.mu.Unlock()
			return s, nil
		}
		w.mu.Unlock()
		select {
		case <-wt.signal:
		case <-ctx.Done():
			return snapshot{}, ctx.Err()
		}
	}
}

func (w *watcher) run() {
	clk := w.m.clock
	for {
		w.mu.Lock()
		if len(w.watches) == 0 && len(w.reads) == 0 {
			w.running, w.wake = false, nil
			w.mu.Unlock()
			return
		}
		now := clk.Now()
		var next time.Time
		for wt := range w.watches {
			if d, ok := wt.dueAt(); ok && (next.IsZero() || d.Before(next)) {
				next = d
			}
		}
		gap := w.gap()
		if !next.IsZero() && next.Before(w.lastPoll.Add(gap)) {
			next = w.lastPoll.Add(gap)
		}
		if len(w.reads) > 0 && (next.IsZero() || w.readsAt.Before(next)) {
			next = w.readsAt // a point read does not wait for the gap
		}
		ctx, cancel := context.WithCancel(context.Background())
		w.wake = cancel
		select {
		case <-w.kicked: // a kick before we slept: replan now
		default:
		}
		w.mu.Unlock()
		switch {
		case next.IsZero(): // every watch is reading its last snapshot
			<-w.kicked
		case next.After(now):
			_ = clk.Sleep(ctx, next.Sub(now))
		}
		cancel()

		w.mu.Lock()
		now = clk.Now()
		var due []*watch
		anyDue := len(w.reads) > 0 && !w.readsAt.After(now)
		gapped := !now.Before(w.lastPoll.Add(w.gap()))
		for wt := range w.watches {
			if d, ok := wt.dueAt(); ok && !d.After(now.Add(gather)) {
				due = append(due, wt)
				anyDue = anyDue || (gapped && !d.After(now))
			}
		}
		var reads []*readReq
		if anyDue {
			reads, w.reads = w.reads, nil
			w.lastPoll = now
		}
		w.mu.Unlock()
		if anyDue {
			w.poll(due, reads, now)
		}
	}
}
