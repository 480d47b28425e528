package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Text renders events for people: one line per event, with the time
// elapsed since start on the operation's clock. Check attempts that fail
// are shown at the first and every fifth, unless Verbose.
type Text struct {
	W       io.Writer
	Start   time.Time
	Verbose bool

	mu sync.Mutex
}

// Observe is the Observer that renders.
func (r *Text) Observe(e Event) {
	line := r.line(e)
	if line == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.W, "%8s  %s\n", Round(e.When().Sub(r.Start)), line)
}

func (r *Text) line(e Event) string {
	switch e := e.(type) {
	case StepStarted:
		return "▸ " + e.Step
	case StepFinished:
		switch {
		case e.Err != nil:
			return fmt.Sprintf("✗ %s failed after %s", e.Step, Round(e.Took))
		case e.Skipped != "":
			return fmt.Sprintf("· %s skipped: %s", e.Step, e.Skipped)
		default:
			return fmt.Sprintf("✓ %s (%s)", e.Step, Round(e.Took))
		}
	case Info:
		return "  " + e.Message
	case Warning:
		return "  ! " + e.Message
	case BeanstalkEvent:
		return fmt.Sprintf("  [%s] %-5s %s", e.Environment, e.Severity, e.Message)
	case EnvironmentStatus:
		h := e.Health
		if e.HealthStatus != "" {
			h += "/" + e.HealthStatus
		}
		return fmt.Sprintf("  [%s] status %s, health %s", e.Environment, e.Status, h)
	case Waiting:
		return fmt.Sprintf("  … still waiting for %s %s (%s)", e.Environment, e.For, Round(e.Elapsed))
	case CheckResult:
		if e.Passed {
			return fmt.Sprintf("  check %q passed (%s)", e.Check, e.Target)
		}
		if r.Verbose || e.Attempt == 1 || e.Attempt%5 == 0 {
			return fmt.Sprintf("  check %q attempt %d: %s", e.Check, e.Attempt, e.Detail)
		}
	case Output:
		return "  │ " + e.Line
	}
	return ""
}

// Round shortens a duration for people: tenths of a second under a
// minute, whole seconds above.
func Round(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

// JSONLines renders events as one JSON object per line, for CI, and
// writes other objects (results) in the same stream.
type JSONLines struct {
	mu  sync.Mutex
	enc *json.Encoder
}

// NewJSONLines writes to w.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{enc: json.NewEncoder(w)} }

// Observe is the Observer that renders.
func (r *JSONLines) Observe(e Event) { r.Write(EventJSON(e)) }

// Write writes v as one line.
func (r *JSONLines) Write(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.enc.Encode(v)
}

// EventJSON flattens an event into {"type": …, "time": …, fields…}.
func EventJSON(e Event) map[string]any {
	m := map[string]any{"time": e.When().UTC().Format(time.RFC3339Nano)}
	set := func(kind string, kv ...any) {
		m["type"] = kind
		for i := 0; i+1 < len(kv); i += 2 {
			if v := kv[i+1]; v != "" && v != nil {
				m[kv[i].(string)] = v
			}
		}
	}
	switch e := e.(type) {
	case StepStarted:
		set("step_started", "step", e.Step, "detail", e.Detail)
	case StepFinished:
		var errText any
		if e.Err != nil {
			errText = e.Err.Error()
		}
		set("step_finished", "step", e.Step, "took_seconds", e.Took.Seconds(), "error", errText, "skipped", e.Skipped)
	case Info:
		set("info", "step", e.Step, "message", e.Message)
	case Warning:
		set("warning", "step", e.Step, "message", e.Message)
	case BeanstalkEvent:
		set("beanstalk_event", "environment", e.Environment, "severity", e.Severity, "message", e.Message, "event_date", e.EventDate.UTC().Format(time.RFC3339))
	case EnvironmentStatus:
		set("environment_status", "environment", e.Environment, "status", e.Status, "health", e.Health, "health_status", e.HealthStatus)
	case Waiting:
		set("waiting", "environment", e.Environment, "for", e.For, "elapsed_seconds", e.Elapsed.Seconds())
	case WaitStarted:
		set("wait_started", "environments", e.Environments, "for", e.For)
	case WaitFinished:
		var errText any
		if e.Err != nil {
			errText = e.Err.Error()
		}
		set("wait_finished", "environments", e.Environments, "for", e.For, "error", errText)
	case CheckResult:
		set("check", "check", e.Check, "target", e.Target, "passed", e.Passed, "attempt", e.Attempt, "detail", e.Detail)
	case Output:
		set("output", "stream", e.Stream, "line", strings.TrimRight(e.Line, "\r"))
	default:
		set(fmt.Sprintf("%T", e))
	}
	return m
}
