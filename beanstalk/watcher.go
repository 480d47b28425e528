package beanstalk

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
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
}

func newWatcher(m *Monitor) *watcher {
	return &watcher{m: m, watches: map[*watch]struct{}{}, kicked: make(chan struct{}, 1)}
}

// gather is how far ahead a poll serves watches due soon after it.
const gather = 500 * time.Millisecond

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
	polledAt   time.Time
}

// snapshot is one poll, as one watch sees it.
type snapshot struct {
	at     time.Time
	read   bool // envs were read (else the poll read only events)
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
	w.watches[wt] = struct{}{}
	w.kick()
	if !w.running {
		w.running = true
		go w.run()
	}
}

// remove unregisters a watch; learn, when set, records its timeline.
// A wait that read no events (a termination's) learns theirs with one
// read at the end, unless what it learned before has them or it was over
// at once: they are what later waits of its kind take their pace from.
func (w *watcher) remove(ctx context.Context, wt *watch, learn bool) {
	w.mu.Lock()
	delete(w.watches, wt)
	w.kick()
	pred, eventsRead := wt.pred, wt.eventsRead
	w.mu.Unlock()
	if !learn || pred.fixed > 0 {
		return
	}
	if !eventsRead && !hasEvents(pred.learned) && w.m.clock.Now().Sub(pred.ref) > 10*time.Second {
		if events, err := w.events(ctx, pred.ref, map[string]bool{wt.app: true}); err == nil {
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

func hasEvents(t *timeline) bool {
	return t != nil && slices.ContainsFunc(t.marks, func(m mark) bool { return m.event && m.off >= 5*time.Second })
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

// dueAt is when a watch needs a poll; ok is false while it has not taken
// the last one (a watch is polled for no faster than it reads).
func (wt *watch) dueAt() (time.Time, bool) {
	if len(wt.queue) > 0 {
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
	for {
		w.mu.Lock()
		if len(wt.queue) > 0 {
			s := wt.queue[0]
			wt.queue = wt.queue[1:]
			if len(wt.queue) == 0 {
				w.kick() // it may be due again
			}
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
		if len(w.watches) == 0 {
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
		anyDue := false
		for wt := range w.watches {
			if d, ok := wt.dueAt(); ok && !d.After(now.Add(gather)) {
				due = append(due, wt)
				anyDue = anyDue || !d.After(now)
			}
		}
		w.mu.Unlock()
		if !anyDue {
			continue // woken early: those due soon wait for their time
		}
		if len(due) > 0 {
			w.poll(due, now)
		}
	}
}

// poll reads once for every watch, and plans each due watch's next poll.
func (w *watcher) poll(due []*watch, now time.Time) {
	ctx := context.Background()
	w.mu.Lock()
	all := make([]*watch, 0, len(w.watches))
	for wt := range w.watches {
		all = append(all, wt)
	}
	var names []string
	apps := map[string]bool{}
	for _, wt := range all {
		names = append(names, wt.names...)
		apps[wt.app] = true
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var eventsFrom time.Time
	eventApps := map[string]bool{}
	readEnvs := false
	for _, wt := range due {
		readEnvs = readEnvs || wt.plan.env || (!wt.deadline.IsZero() && !wt.deadline.After(now.Add(gather)))
		if wt.plan.events {
			if eventsFrom.IsZero() || wt.from.Before(eventsFrom) {
				eventsFrom = wt.from
			}
			eventApps[wt.app] = true
		}
	}
	w.mu.Unlock()

	var envs []types.EnvironmentDescription
	var err error
	if readEnvs {
		envs, err = w.describe(ctx, names, apps)
	}
	var events []types.EventDescription
	if err == nil && !eventsFrom.IsZero() {
		events, err = w.events(ctx, eventsFrom, eventApps)
	}
	at := w.m.clock.Now()

	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wt := range all {
		isDue := slices.Contains(due, wt)
		s := snapshot{at: at, read: readEnvs, err: err}
		if !isDue && (err != nil || !readEnvs) {
			continue
		}
		for _, e := range envs {
			if sameApp(e.ApplicationName, wt.app) && slices.Contains(wt.names, aws.ToString(e.EnvironmentName)) {
				s.envs = append(s.envs, e)
			}
		}
		gotEvents := isDue && events != nil && eventApps[wt.app] && wt.plan.events
		if gotEvents {
			for _, ev := range events {
				if sameApp(ev.ApplicationName, wt.app) && slices.Contains(wt.names, aws.ToString(ev.EnvironmentName)) && !aws.ToTime(ev.EventDate).Before(wt.from) {
					s.events = append(s.events, ev)
				}
			}
		}
		changed := w.observe(wt, s, at)
		if !isDue && !changed {
			continue // nothing new for it: it keeps its plan
		}
		if gotEvents {
			wt.pred.lastEvents, wt.eventsRead = at, true
		}
		wt.plan = wt.pred.next(at, changed, wt.events)
		wt.queue = append(wt.queue, s)
		select {
		case wt.signal <- struct{}{}:
		default:
		}
	}
}

// observe feeds a snapshot's marks to the watch's predictor: events at
// their dates, state changes at their DateUpdated when that moved with
// them, else halfway since the previous poll. It says whether anything
// changed.
func (w *watcher) observe(wt *watch, s snapshot, at time.Time) bool {
	changed := false
	for _, ev := range s.events {
		i := slices.Index(wt.names, aws.ToString(ev.EnvironmentName))
		if i < 0 {
			continue
		}
		date := aws.ToTime(ev.EventDate)
		if date.After(wt.from) {
			wt.from = date // StartTime is inclusive: the wait drops what it saw
		}
		sig := eventSig(i, aws.ToString(ev.Message))
		if _, ok := wt.pred.seen[sig]; !ok {
			wt.pred.observe(sig, date)
			changed = true
		}
	}
	if !s.read {
		return changed
	}
	for i, name := range wt.names {
		e, err := Newest(s.envs, name)
		if err != nil {
			continue
		}
		cur := [2]string{string(e.Status), string(e.Health)}
		prev, known := wt.status[name]
		if known && prev == cur {
			continue
		}
		wt.status[name] = cur
		changed = true
		if !known {
			continue // its first sighting: where it stood, not a change
		}
		// The change happened since the last read: at DateUpdated when
		// that moved (a status change moves it), else halfway.
		when := wt.polledAt.Add(at.Sub(wt.polledAt) / 2)
		if u := aws.ToTime(e.DateUpdated); u.After(wt.polledAt) && !u.After(at) {
			when = u
		}
		if cur[0] != prev[0] {
			wt.pred.observe(statusSig(i, cur[0]), when)
		}
		if cur[1] != prev[1] {
			wt.pred.observe(healthSig(i, cur[1]), when)
		}
	}
	wt.polledAt = at
	return changed
}

// describe lists the watched environments: one call (paginated) for all,
// across applications (environment names are unique in a region).
func (w *watcher) describe(ctx context.Context, names []string, apps map[string]bool) ([]types.EnvironmentDescription, error) {
	in := &eb.DescribeEnvironmentsInput{EnvironmentNames: names}
	if len(apps) == 1 {
		for app := range apps {
			in.ApplicationName = aws.String(app)
		}
	}
	var all []types.EnvironmentDescription
	for {
		out, err := callDescribe(ctx, w.m, "describe environments", func() (*eb.DescribeEnvironmentsOutput, error) {
			return w.m.api.DescribeEnvironments(ctx, in)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Environments...)
		if aws.ToString(out.NextToken) == "" {
			return all, nil
		}
		in.NextToken = out.NextToken
	}
}

// events reads the events since from: of the one application, or of all.
func (w *watcher) events(ctx context.Context, from time.Time, apps map[string]bool) ([]types.EventDescription, error) {
	in := &eb.DescribeEventsInput{StartTime: aws.Time(from), MaxRecords: aws.Int32(1000)}
	if len(apps) == 1 {
		for app := range apps {
			in.ApplicationName = aws.String(app)
		}
	}
	var all []types.EventDescription
	for page := 0; page < maxEventPages; page++ {
		out, err := callDescribe(ctx, w.m, "describe events", func() (*eb.DescribeEventsOutput, error) {
			return w.m.api.DescribeEvents(ctx, in)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, out.Events...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	slices.Reverse(all) // Beanstalk lists newest first
	return all, nil
}

// sameApp: an answer without an application name (some emulators leave
// it out) belongs to the one asked for; names are unique in a region.
func sameApp(got *string, app string) bool {
	return got == nil || *got == "" || *got == app
}
