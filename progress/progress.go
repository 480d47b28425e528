// Package progress carries what a deploy is doing, as typed events a
// caller can observe: steps starting and finishing, Beanstalk's own events,
// environment status changes, acceptance checks, command output.
//
//	svc.Observer = (&progress.Text{W: os.Stdout, Start: time.Now()}).Observe // or progress.NewJSONLines(os.Stdout).Observe
//
// Nothing is printed by the library itself; Text and JSONLines render the
// events for people and for CI, as the CLI does.
package progress

import (
	"sync"
	"time"
)

// Event is one thing that happened. Switch on its concrete type.
type Event interface {
	// When is when it happened, on the deploy's clock.
	When() time.Time
	isEvent()
}

// Observer receives events. It must not block for long; it is called from
// the goroutine doing the work (and, for command output, from the
// goroutines reading it, one at a time).
type Observer func(Event)

// StepStarted says a pipeline step begins.
type StepStarted struct {
	At     time.Time
	Step   string
	Detail string
}

// StepFinished says a pipeline step ended, with its error if it failed, or
// Skipped with the reason.
type StepFinished struct {
	At      time.Time
	Step    string
	Took    time.Duration
	Err     error
	Skipped string
}

// Info is a fact worth telling: a bundle uploaded, a version reused, the
// live environment found.
type Info struct {
	At      time.Time
	Step    string
	Message string
}

// Warning is something that did not stop the step but needs a look.
type Warning struct {
	At      time.Time
	Step    string
	Message string
}

// BeanstalkEvent is one of Elastic Beanstalk's own events for an
// environment, as DescribeEvents returns it.
type BeanstalkEvent struct {
	At          time.Time // when it was received
	EventDate   time.Time // when Beanstalk recorded it
	Environment string
	Severity    string
	Message     string
}

// EnvironmentStatus reports a change of an environment's status or health.
type EnvironmentStatus struct {
	At           time.Time
	Environment  string
	Status       string
	Health       string
	HealthStatus string
}

// Waiting says a wait goes on: what for, for how long already.
type Waiting struct {
	At          time.Time
	Environment string
	For         string
	Elapsed     time.Duration
}

// WaitStarted and WaitFinished bracket a wait for environments: between
// them, each change of theirs is noticed (EnvironmentStatus) as soon as
// the poller sees it. Benchmarks measure detection with them; renderers
// for people leave them out.
type WaitStarted struct {
	At           time.Time
	Environments []string
	For          string
}

// WaitFinished ends a wait; Err is why it failed, nil when it succeeded.
type WaitFinished struct {
	At           time.Time
	Environments []string
	For          string
	Err          error
}

// CheckResult is the outcome of one acceptance check attempt.
type CheckResult struct {
	At      time.Time
	Check   string
	Target  string
	Passed  bool
	Attempt int
	Detail  string
}

// Output is one line printed by an external command (acceptance tests).
type Output struct {
	At     time.Time
	Stream string // "stdout" or "stderr"
	Line   string
}

func (e StepStarted) When() time.Time       { return e.At }
func (e StepFinished) When() time.Time      { return e.At }
func (e Info) When() time.Time              { return e.At }
func (e Warning) When() time.Time           { return e.At }
func (e BeanstalkEvent) When() time.Time    { return e.At }
func (e EnvironmentStatus) When() time.Time { return e.At }
func (e Waiting) When() time.Time           { return e.At }
func (e WaitStarted) When() time.Time       { return e.At }
func (e WaitFinished) When() time.Time      { return e.At }
func (e CheckResult) When() time.Time       { return e.At }
func (e Output) When() time.Time            { return e.At }

func (StepStarted) isEvent()       {}
func (StepFinished) isEvent()      {}
func (Info) isEvent()              {}
func (Warning) isEvent()           {}
func (BeanstalkEvent) isEvent()    {}
func (EnvironmentStatus) isEvent() {}
func (Waiting) isEvent()           {}
func (WaitStarted) isEvent()       {}
func (WaitFinished) isEvent()      {}
func (CheckResult) isEvent()       {}
func (Output) isEvent()            {}

// Emit sends e to o; a nil Observer discards it.
func (o Observer) Emit(e Event) {
	if o != nil {
		o(e)
	}
}

// Serialized wraps o so that concurrent emitters call it one at a time.
func Serialized(o Observer) Observer {
	if o == nil {
		return nil
	}
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		o(e)
	}
}

// Recorder collects events, for tests and summaries. Safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	events []Event
}

// Observe is the Observer that records.
func (r *Recorder) Observe(e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// Events returns a copy of what was recorded.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}
