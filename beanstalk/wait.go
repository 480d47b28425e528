package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/progress"
)

// WaitOptions tune a wait. Zero values mean the defaults.
type WaitOptions struct {
	// Timeout bounds the wait; default 30 minutes.
	Timeout time.Duration
	// Interval is the first delay between polls while nothing is learned
	// about this kind of wait; default 5s. It grows by half at every poll,
	// up to MaxInterval, and falls back when something changes. Once the
	// Monitor has seen a wait of the same purpose for the same
	// application succeed, polls follow what it learned instead: just
	// before each change is due, densely around it.
	Interval time.Duration
	// MaxInterval caps the delay; default 15s.
	MaxInterval time.Duration
	// Since is when the operation waited for began: Beanstalk events from
	// then on are reported and judged. Default: when the wait starts.
	Since time.Time
	// Observer receives Beanstalk's events, status changes and a Waiting
	// heartbeat about once a minute.
	Observer progress.Observer
	// IgnoreErrorEvents lets ERROR and FATAL events pass (reported, not
	// fatal): terminating a failed environment, for one, may log errors.
	IgnoreErrorEvents bool
	// Propagation is how long after the wait starts an environment
	// missing from DescribeEnvironments means "not listed yet", not "gone":
	// AWS's control plane lists a new environment (and the state after a
	// swap) only after a while. Zero: missing is missing at once.
	Propagation time.Duration
	// HealthGrace is how long after Ready a Yellow or Red health counts as
	// warming up (WaitHealthy); zero: Red fails at once.
	HealthGrace time.Duration
	// CreatedAt, when set, is when the environments waited for were
	// created: an older namesake (terminated, still listed for an hour)
	// is not them, however Beanstalk lists it.
	CreatedAt time.Time
}

// DefaultPropagation is how long beanswap gives Beanstalk to list an
// environment it has just created or swapped: terraform-provider-aws
// waits as long for most reads after a write.
const DefaultPropagation = 2 * time.Minute

func (o WaitOptions) withDefaults(now time.Time) WaitOptions {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	if o.Interval <= 0 {
		o.Interval = 5 * time.Second
	}
	if o.MaxInterval < o.Interval {
		o.MaxInterval = max(priorMax, o.Interval)
	}
	if o.Since.IsZero() {
		o.Since = now
	}
	return o
}

// Condition judges the waited-for environments, by name (missing ones are
// absent). It returns done when the wait is over, or an error to end it.
type Condition func(envs map[string]types.EnvironmentDescription) (done bool, err error)

// Wait watches app's environments named names until cond is done, an
// ERROR or FATAL event concerns one of them (a *LaunchError), the timeout
// passes (a *TimeoutError) or ctx ends. The Monitor's watcher serves it:
// its polls read every environment every wait watches in one
// DescribeEnvironments call, and events in at most one DescribeEvents
// call, when what this kind of wait taught says a change is due (or at
// once, when a pushed change names one of them: AttachPush).
func (m *Monitor) Wait(ctx context.Context, app string, names []string, what string, cond Condition, o WaitOptions) (envs map[string]types.EnvironmentDescription, err error) {
	start := m.clock.Now()
	o = o.withDefaults(start)
	o.Observer.Emit(progress.WaitStarted{At: start, Environments: names, For: what})
	defer func() {
		o.Observer.Emit(progress.WaitFinished{At: m.clock.Now(), Environments: names, For: what, Err: err})
	}()
	deadline := start.Add(o.Timeout)
	wt := &watch{app: app, names: slices.Clone(names), key: app + "\x00" + what, events: !o.IgnoreErrorEvents, deadline: deadline,
		// Event dates come at a coarser precision than our clock's: an
		// event of the operation's first instant must not fall before it.
		from: o.Since.Truncate(time.Second)}
	learned := m.w.learned.get(wt.key)
	if m.opts.FixedInterval > 0 {
		learned = nil
	}
	wt.pred = newPredictor(o.Since, learned, m.opts.FixedInterval)
	wt.pred.push = m.w.pushing()
	wt.pred.interval, wt.pred.first, wt.pred.maxInterval = o.Interval, o.Interval, o.MaxInterval
	first := plan{at: start, env: true, events: wt.events}
	if learned != nil && start.Sub(o.Since) < 2*time.Second {
		// The operation has just begun: nothing can have happened before
		// its first learned mark.
		later := false
		for _, mk := range learned.marks {
			if mk.off < opening {
				wt.pred.seen[mk.sig] = o.Since
			} else {
				later = true
			}
		}
		if later {
			first = wt.pred.next(start, false, wt.events)
		}
	}
	m.w.add(wt, first)
	done := false
	defer func() { m.w.remove(ctx, wt, done && err == nil) }()

	seen := map[string]bool{}
	status := map[string]string{}
	lastHeartbeat := start
	for {
		snap, err := m.w.next(ctx, wt)
		if err != nil {
			return envs, fmt.Errorf("wait for %s %s: %w", strings.Join(names, ", "), what, err)
		}
		if snap.err != nil {
			return envs, fmt.Errorf("wait for %s %s: %w", strings.Join(names, ", "), what, snap.err)
		}
		if snap.read {
			envs = m.judged(snap.envs, names, o.CreatedAt)
			for _, name := range names {
				e, ok := envs[name]
				if !ok {
					continue
				}
				s := fmt.Sprintf("%s/%s/%s", e.Status, e.Health, e.HealthStatus)
				if status[name] != s {
					status[name] = s
					o.Observer.Emit(progress.EnvironmentStatus{At: snap.at, Environment: name, Status: string(e.Status), Health: string(e.Health), HealthStatus: string(e.HealthStatus)})
				}
			}
		}

		var failures []Event
		failedEnv := ""
		for _, ev := range snap.events {
			env := aws.ToString(ev.EnvironmentName)
			key := eventKey(ev)
			if seen[key] {
				continue
			}
			seen[key] = true
			date := aws.ToTime(ev.EventDate)
			o.Observer.Emit(progress.BeanstalkEvent{At: snap.at, EventDate: date, Environment: env, Severity: string(ev.Severity), Message: aws.ToString(ev.Message)})
			if ev.Severity == types.EventSeverityError || ev.Severity == types.EventSeverityFatal {
				failures = append(failures, Event{Date: date, Severity: string(ev.Severity), Message: aws.ToString(ev.Message)})
				failedEnv = env
			}
		}
		if len(failures) > 0 && !o.IgnoreErrorEvents {
			return envs, m.launchError(ctx, envs[failedEnv], failedEnv, failures)
		}

		now := m.clock.Now()
		if !snap.read {
			continue // events only: the environments are as last read (the deadline's poll reads them)
		}
		// Missing from a listing read within the propagation time is
		// not listed yet: wait, as for any other state. The listing's
		// time, not now's: the events read after it may have been
		// throttled for minutes.
		if o.Propagation > 0 && len(envs) < len(names) && snap.readAt.Before(start.Add(o.Propagation)) && now.Before(deadline) {
			continue
		}
		ok, err := cond(envs)
		if err != nil {
			var le *LaunchError
			if errors.As(err, &le) && le.Causes == nil {
				le.Causes = m.HealthCauses(ctx, le.Environment)
			}
			return envs, err
		}
		if ok {
			done = true
			return envs, nil
		}
		if !now.Before(deadline) {
			return envs, m.timeout(envs, names, what, now.Sub(start))
		}
		if now.Sub(lastHeartbeat) >= time.Minute {
			lastHeartbeat = now
			o.Observer.Emit(progress.Waiting{At: now, Environment: strings.Join(names, ", "), For: what, Elapsed: now.Sub(start)})
		}
	}
}

// judged are the environments of a poll the wait judges, by name: the
// newest of each name, not older than createdAt when that is set.
func (m *Monitor) judged(list []types.EnvironmentDescription, names []string, createdAt time.Time) map[string]types.EnvironmentDescription {
	if !createdAt.IsZero() {
		list = slices.DeleteFunc(slices.Clone(list), func(e types.EnvironmentDescription) bool {
			return e.DateCreated != nil && e.DateCreated.Before(createdAt)
		})
	}
	return byName(list, names)
}

func byName(list []types.EnvironmentDescription, names []string) map[string]types.EnvironmentDescription {
	out := make(map[string]types.EnvironmentDescription, len(names))
	for _, name := range names {
		if e, err := Newest(list, name); err == nil {
			out[name] = e
		}
	}
	return out
}

func eventKey(ev types.EventDescription) string {
	return aws.ToTime(ev.EventDate).Format(time.RFC3339Nano) + "\x00" + aws.ToString(ev.EnvironmentName) + "\x00" + aws.ToString(ev.Message)
}

func (m *Monitor) launchError(ctx context.Context, e types.EnvironmentDescription, name string, events []Event) *LaunchError {
	return &LaunchError{
		Environment:  name,
		Status:       string(e.Status),
		Health:       string(e.Health),
		HealthStatus: string(e.HealthStatus),
		Events:       events,
		Causes:       m.HealthCauses(ctx, name),
	}
}

func (m *Monitor) timeout(envs map[string]types.EnvironmentDescription, names []string, what string, waited time.Duration) *TimeoutError {
	te := &TimeoutError{Environment: strings.Join(names, ", "), Waiting: what, Waited: waited}
	// Report the first environment not yet where it should be.
	for _, n := range names {
		if e, ok := envs[n]; ok {
			te.Status, te.Health = string(e.Status), string(e.Health)
			if e.Status != types.EnvironmentStatusReady || e.Health != types.EnvironmentHealthGreen {
				break
			}
		}
	}
	return te
}

// Healthy is the condition of a launch or update: Ready, and Green (and
// Ok where enhanced health reports a status). Red health, or the
// environment terminating or vanishing, ends the wait with an error.
func Healthy(name string) Condition { return HealthyWithin(name, 0, nil) }

// HealthyWithin is Healthy with a grace period: for grace after the
// environment turns Ready (on now's clock), a Yellow or Red health is a
// fresh environment warming up — not yet, not a failure; past it, Red
// fails. An ERROR event fails at once in any case (Wait sees to it).
func HealthyWithin(name string, grace time.Duration, now func() time.Time) Condition {
	var readyAt time.Time
	return func(envs map[string]types.EnvironmentDescription) (bool, error) {
		e, ok := envs[name]
		if !ok {
			return false, fmt.Errorf("environment %s: %w", name, ErrNotFound)
		}
		switch e.Status {
		case types.EnvironmentStatusTerminating, types.EnvironmentStatusTerminated:
			return false, &LaunchError{Environment: name, Status: string(e.Status), Health: string(e.Health), HealthStatus: string(e.HealthStatus),
				Events: []Event{{Severity: "ERROR", Message: "the environment is being terminated"}}}
		}
		if e.Status == types.EnvironmentStatusReady && readyAt.IsZero() && now != nil {
			readyAt = now()
		}
		inGrace := grace > 0 && now != nil && (readyAt.IsZero() || now().Sub(readyAt) < grace)
		if e.Health == types.EnvironmentHealthRed && !inGrace {
			return false, &LaunchError{Environment: name, Status: string(e.Status), Health: string(e.Health), HealthStatus: string(e.HealthStatus)}
		}
		ok = e.Status == types.EnvironmentStatusReady && e.Health == types.EnvironmentHealthGreen &&
			(e.HealthStatus == "" || e.HealthStatus == types.EnvironmentHealthStatusOk)
		return ok, nil
	}
}

// WaitHealthy waits until env is Ready and healthy, allowing it
// o.HealthGrace to warm up.
func (m *Monitor) WaitHealthy(ctx context.Context, app, env string, o WaitOptions) (types.EnvironmentDescription, error) {
	envs, err := m.Wait(ctx, app, []string{env}, "to be Ready and healthy", HealthyWithin(env, o.HealthGrace, m.clock.Now), o)
	return envs[env], err
}
