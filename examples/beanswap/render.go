package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/beanswap/beanswap/progress"
)

// textRenderer prints one line per event, with the time elapsed since the
// start on the deploy's clock, as a person follows a deploy.
type textRenderer struct {
	mu      sync.Mutex
	w       io.Writer
	start   time.Time
	verbose bool
}

func newTextRenderer(w io.Writer, start time.Time, verbose bool) *textRenderer {
	return &textRenderer{w: w, start: start, verbose: verbose}
}

func (r *textRenderer) observe(e progress.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	line := ""
	switch e := e.(type) {
	case progress.StepStarted:
		line = "▸ " + e.Step
	case progress.StepFinished:
		switch {
		case e.Err != nil:
			line = fmt.Sprintf("✗ %s failed after %s", e.Step, round(e.Took))
		case e.Skipped != "":
			line = fmt.Sprintf("· %s skipped: %s", e.Step, e.Skipped)
		default:
			line = fmt.Sprintf("✓ %s (%s)", e.Step, round(e.Took))
		}
	case progress.Info:
		line = "  " + e.Message
	case progress.Warning:
		line = "  ! " + e.Message
	case progress.BeanstalkEvent:
		line = fmt.Sprintf("  [%s] %-5s %s", e.Environment, e.Severity, e.Message)
	case progress.EnvironmentStatus:
		h := e.Health
		if e.HealthStatus != "" {
			h += "/" + e.HealthStatus
		}
		line = fmt.Sprintf("  [%s] status %s, health %s", e.Environment, e.Status, h)
	case progress.Waiting:
		line = fmt.Sprintf("  … still waiting for %s %s (%s)", e.Environment, e.For, round(e.Elapsed))
	case progress.CheckResult:
		if e.Passed {
			line = fmt.Sprintf("  check %q passed (%s)", e.Check, e.Target)
		} else if r.verbose || e.Attempt == 1 || e.Attempt%5 == 0 {
			line = fmt.Sprintf("  check %q attempt %d: %s", e.Check, e.Attempt, e.Detail)
		}
	case progress.Output:
		line = "  │ " + e.Line
	}
	if line == "" {
		return
	}
	fmt.Fprintf(r.w, "%8s  %s\n", round(e.When().Sub(r.start)), line)
}

func round(d time.Duration) string {
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	default:
		return d.Round(time.Second).String()
	}
}

// jsonRenderer prints one JSON object per event, for CI.
type jsonRenderer struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newJSONRenderer(w io.Writer) *jsonRenderer { return &jsonRenderer{enc: json.NewEncoder(w)} }

func (r *jsonRenderer) observe(e progress.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.enc.Encode(eventJSON(e))
}

func (r *jsonRenderer) emit(v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = r.enc.Encode(v)
}

// eventJSON flattens an event into {"type": …, "time": …, fields…}.
func eventJSON(e progress.Event) map[string]any {
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
	case progress.StepStarted:
		set("step_started", "step", e.Step, "detail", e.Detail)
	case progress.StepFinished:
		var errText any
		if e.Err != nil {
			errText = e.Err.Error()
		}
		set("step_finished", "step", e.Step, "took_seconds", e.Took.Seconds(), "error", errText, "skipped", e.Skipped)
	case progress.Info:
		set("info", "step", e.Step, "message", e.Message)
	case progress.Warning:
		set("warning", "step", e.Step, "message", e.Message)
	case progress.BeanstalkEvent:
		set("beanstalk_event", "environment", e.Environment, "severity", e.Severity, "message", e.Message, "event_date", e.EventDate.UTC().Format(time.RFC3339))
	case progress.EnvironmentStatus:
		set("environment_status", "environment", e.Environment, "status", e.Status, "health", e.Health, "health_status", e.HealthStatus)
	case progress.Waiting:
		set("waiting", "environment", e.Environment, "for", e.For, "elapsed_seconds", e.Elapsed.Seconds())
	case progress.CheckResult:
		set("check", "check", e.Check, "target", e.Target, "passed", e.Passed, "attempt", e.Attempt, "detail", e.Detail)
	case progress.Output:
		set("output", "stream", e.Stream, "line", strings.TrimRight(e.Line, "\r"))
	default:
		set(fmt.Sprintf("%T", e))
	}
	return m
}
