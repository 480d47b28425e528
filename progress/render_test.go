package progress

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestText(t *testing.T) {
	var b bytes.Buffer
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Text{W: &b, Start: t0}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	for _, e := range []Event{
		StepStarted{At: at(0), Step: "deploy"},
		BeanstalkEvent{At: at(90 * time.Second), Environment: "hello-2", Severity: "INFO", Message: "createEnvironment is starting."},
		EnvironmentStatus{At: at(5 * time.Minute), Environment: "hello-2", Status: "Ready", Health: "Green", HealthStatus: "Ok"},
		CheckResult{At: at(6 * time.Minute), Check: "ping", Attempt: 2, Detail: "status 503"}, // quiet: not the first nor a fifth
		CheckResult{At: at(6 * time.Minute), Check: "ping", Passed: true, Target: "http://x/ping"},
		Output{At: at(6 * time.Minute), Line: "ok 1 - version"},
		Warning{At: at(7 * time.Minute), Message: "look"},
		StepFinished{At: at(7 * time.Minute), Step: "deploy", Took: 7 * time.Minute, Err: errors.New("x")},
		StepFinished{At: at(7 * time.Minute), Step: "swap", Skipped: "first deploy"},
	} {
		r.Observe(e)
	}
	assert.Equal(t, `      0s  ▸ deploy
   1m30s    [hello-2] INFO  createEnvironment is starting.
    5m0s    [hello-2] status Ready, health Green/Ok
    6m0s    check "ping" passed (http://x/ping)
    6m0s    │ ok 1 - version
    7m0s    ! look
    7m0s  ✗ deploy failed after 7m0s
    7m0s  · swap skipped: first deploy
`, b.String())
}

func TestEventJSON(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := EventJSON(StepFinished{At: at, Step: "swap", Took: time.Second, Err: errors.New("boom")})
	assert.Equal(t, map[string]any{"type": "step_finished", "time": "2026-01-01T00:00:00Z", "step": "swap", "took_seconds": 1.0, "error": "boom"}, m)
	m = EventJSON(CheckResult{At: at, Check: "c", Passed: true, Attempt: 1})
	assert.Equal(t, "check", m["type"])
	assert.Equal(t, true, m["passed"])
}
