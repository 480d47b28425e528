package beanstalk

import (
	"context"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/internal/paging"
)

// readReq is a point read (Monitor.Environments) waiting for the
// watcher's next poll: reads made at about the same time, by any number
// of deploys, share one DescribeEnvironments call, made after each of
// them asked (never an older answer).
type readReq struct {
	app   string
	names []string // none: every environment of app
	done  chan readResult
}

type readResult struct {
	envs []types.EnvironmentDescription
	err  error
}

func (r *readReq) answer(envs []types.EnvironmentDescription, err error) {
	var mine []types.EnvironmentDescription
	for _, e := range envs {
		if sameApp(e.ApplicationName, r.app) && (len(r.names) == 0 || slices.Contains(r.names, aws.ToString(e.EnvironmentName))) {
			mine = append(mine, e)
		}
	}
	r.done <- readResult{mine, err}
}

// read describes app's environments named names (all when none) in the
// watcher's next poll.
func (w *watcher) read(ctx context.Context, app string, names []string) ([]types.EnvironmentDescription, error) {
	r := &readReq{app: app, names: names, done: make(chan readResult, 1)}
	w.mu.Lock()
	if len(w.reads) == 0 {
		w.readsAt = w.m.clock.Now().Add(readGather)
	}
	w.reads = append(w.reads, r)
	w.start()
	w.mu.Unlock()
	select {
	case res := <-r.done:
		return res.envs, res.err
	case <-ctx.Done():
		w.mu.Lock()
		w.reads = slices.DeleteFunc(w.reads, func(o *readReq) bool { return o == r })
		w.mu.Unlock()
		return nil, ctx.Err()
	}
}

// poll reads once for every watch and point read, and plans each due
// watch's next poll.
func (w *watcher) poll(due []*watch, reads []*readReq, now time.Time) {
	ctx := context.Background()
	w.mu.Lock()
	all := make([]*watch, 0, len(w.watches))
	for wt := range w.watches {
		all = append(all, wt)
	}
	var names []string
	apps, whole := map[string]bool{}, map[string]bool{}
	for _, wt := range all {
		names = append(names, wt.names...)
		apps[wt.app] = true
	}
	for _, r := range reads {
		names = append(names, r.names...)
		apps[r.app] = true
		if len(r.names) == 0 {
			whole[r.app] = true
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var eventsFrom time.Time
	eventApps := map[string]bool{}
	readEnvs := len(reads) > 0
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
	var readAt time.Time
	var err error
	if readEnvs {
		envs, readAt, err = w.describe(ctx, names, apps, len(whole) > 0)
	}
	var events []types.EventDescription
	if err == nil && !eventsFrom.IsZero() {
		events, err = w.events(ctx, spendShared, eventsFrom, eventApps)
	}
	at := w.m.clock.Now()
	for _, r := range reads {
		r.answer(envs, err)
	}

	// The events read serve every watch that wants events and whose
	// cursor the read covered, due or not: an error event of one
	// deploy's launch reaches it from another's poll. Cursors then move
	// to the newest event read (Beanstalk's clock, not ours), less a
	// margin for events listed late.
	fetched := err == nil && !eventsFrom.IsZero()
	var cursor time.Time
	for _, ev := range events {
		cursor = maxTime(cursor, aws.ToTime(ev.EventDate))
	}
	cursor = cursor.Add(-eventOverlap)

	w.mu.Lock()
	defer w.mu.Unlock()
	for _, wt := range all {
		if _, ok := w.watches[wt]; !ok {
			continue // its wait ended during the calls: remove reads its predictor now
		}
		isDue := slices.Contains(due, wt)
		if !isDue && err != nil {
			continue
		}
		s := snapshot{at: at, read: readEnvs, readAt: readAt, err: err}
		for _, e := range envs {
			if sameApp(e.ApplicationName, wt.app) && slices.Contains(wt.names, aws.ToString(e.EnvironmentName)) {
				s.envs = append(s.envs, e)
			}
		}
		covered := fetched && (wt.events || (isDue && wt.plan.events) || wt.learnsEvents()) &&
			(len(eventApps) > 1 || eventApps[wt.app]) && !wt.from.Before(eventsFrom)
		if covered {
			s.events = wt.unseen(events)
			wt.from = maxTime(wt.from, cursor)
			wt.pred.lastEvents = at
			wt.eventsRead = wt.eventsRead || wt.events || wt.plan.events
		}
		changed := w.observe(wt, s, at)
		if !isDue && !changed {
			continue // nothing new for it: it keeps its plan
		}
		wt.plan = wt.pred.next(at, changed, wt.events)
		wt.queue = append(wt.queue, s)
		select {
		case wt.signal <- struct{}{}:
		default:
		}
	}
}

// eventOverlap is how far before the newest event read the next read
// starts: Beanstalk may list an event a little after its date.
const eventOverlap = 10 * time.Second

// unseen are the events of events that concern wt and that it has not
// been given yet.
func (wt *watch) unseen(events []types.EventDescription) []types.EventDescription {
	var out []types.EventDescription
	for _, ev := range events {
		date := aws.ToTime(ev.EventDate)
		if !sameApp(ev.ApplicationName, wt.app) || !slices.Contains(wt.names, aws.ToString(ev.EnvironmentName)) || date.Before(wt.from) {
			continue
		}
		key := eventKey(ev)
		if _, ok := wt.given[key]; ok {
			continue
		}
		wt.given[key] = date
		out = append(out, ev)
	}
	for key, date := range wt.given {
		if date.Before(wt.from) {
			delete(wt.given, key) // the cursor is past it: never listed again
		}
	}
	return out
}

// observe feeds a snapshot's marks to the watch's predictor: events at
// their dates, state changes at their DateUpdated when that moved with
// them, else halfway since the previous poll. It says whether anything
// changed.
func (w *watcher) observe(wt *watch, s snapshot, at time.Time) bool {
	changed := len(s.events) > 0
	for _, ev := range s.events {
		i := slices.Index(wt.names, aws.ToString(ev.EnvironmentName))
		if i < 0 {
			continue
		}
		date := aws.ToTime(ev.EventDate)
		sig := eventSig(i, aws.ToString(ev.Message))
		wt.pred.observe(sig, date)
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
			// Its first sighting: where it stood, not a change, unless it
			// was updated since the operation began (a wait that was
			// nudged, or looked late, for the first time).
			if u := aws.ToTime(e.DateUpdated); u.After(wt.pred.ref.Add(startedGrace)) && !u.After(at) {
				wt.pred.observe(statusSig(i, cur[0]), u)
			}
			continue
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

// describe lists the environments wanted: one call (paginated) for all,
// across applications (environment names are unique in a region); when
// some whole application is wanted, every environment of the
// application, or of the region when there are several. It says when
// the listing was read: as its first page answered.
func (w *watcher) describe(ctx context.Context, names []string, apps map[string]bool, whole bool) ([]types.EnvironmentDescription, time.Time, error) {
	in := &eb.DescribeEnvironmentsInput{}
	if !whole {
		in.EnvironmentNames = names
	}
	if len(apps) == 1 {
		for app := range apps {
			in.ApplicationName = aws.String(app)
		}
	}
	var all []types.EnvironmentDescription
	var readAt time.Time
	pages := paging.Tokens{What: "describe environments"}
	for {
		out, err := retry(ctx, w.m, pages.What, spendShared, func() (*eb.DescribeEnvironmentsOutput, error) {
			return w.m.api.DescribeEnvironments(ctx, in, throttlingToUs)
		})
		if err != nil {
			return nil, readAt, err
		}
		if readAt.IsZero() {
			readAt = w.m.clock.Now()
		}
		all = append(all, out.Environments...)
		token, err := pages.Next(out.NextToken)
		if err != nil {
			return nil, readAt, err
		}
		if token == "" {
			return all, readAt, nil
		}
		in.NextToken = aws.String(token)
	}
}

// events reads the events since from: of the one application, or of all.
func (w *watcher) events(ctx context.Context, sp spend, from time.Time, apps map[string]bool) ([]types.EventDescription, error) {
	in := &eb.DescribeEventsInput{StartTime: aws.Time(from), MaxRecords: aws.Int32(1000)}
	if len(apps) == 1 {
		for app := range apps {
			in.ApplicationName = aws.String(app)
		}
	}
	return w.m.eventPages(ctx, sp, "describe events", in)
}

// sameApp: an answer without an application name (some emulators leave
// it out) belongs to the one asked for; names are unique in a region.
func sameApp(got *string, app string) bool {
	return got == nil || *got == "" || *got == app
}
