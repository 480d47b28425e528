package beanswap

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/secret"
)

// TestSecretsStayOutOfProgressAndLogs deploys a service with a secret,
// with debug logging, through a launch failure and an acceptance failure,
// and greps every event, log line, report and error for the secret.
func TestSecretsStayOutOfProgressAndLogs(t *testing.T) {
	const value = "s3cr3t-Value-42"
	h := newHarness(t, func(c *config.Config) {
		c.EnvSecrets = []string{"API_KEY"}
		c.Secrets = map[string]secret.Value{"API_KEY": secret.New(value)}
		c.Timeouts.Acceptance = time.Minute
	})
	var logs bytes.Buffer
	run := func(image string) {
		p := h.pipeline(image)
		p.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		report, err := p.Run(t.Context())
		fmt.Fprintf(&logs, "%v\n%+v\n%#v\n", err, report, report)
	}
	run("registry.example.com/team/hello:1.0.0")
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true})
	run("registry.example.com/team/hello:2.0.0")
	h.sim.ScriptDefault(beanstalktest.Outcome{Handler: http.NotFoundHandler()})
	run("registry.example.com/team/hello:3.0.0")

	var all bytes.Buffer
	all.Write(logs.Bytes())
	for _, e := range h.rec.Events() {
		fmt.Fprintf(&all, "%+v\n", e)
	}
	assert.Contains(t, all.String(), "hello-3-0-0", "the runs were recorded")
	assert.NotContains(t, all.String(), value)
}

// TestSecretsPrintedByTheAcceptanceCommandAreScrubbed: a test suite that
// prints an env_secrets value (raw and base64) and the registry password
// leaks none of them: not in progress, logs, errors, the report, the JSON
// a CLI would print, or the outcome subscribers receive.
func TestSecretsPrintedByTheAcceptanceCommandAreScrubbed(t *testing.T) {
	const value = "leaky-Secret-77"
	h := newHarness(t, func(c *config.Config) {
		c.EnvSecrets = []string{"API_KEY"}
		c.Secrets = map[string]secret.Value{"API_KEY": secret.New(value)}
		c.Timeouts.Acceptance = time.Minute
		c.AcceptanceChecks = nil
		c.AcceptanceCommand = []string{"sh", "-c", `echo "key=$API_KEY"; printf %s "$API_KEY" | base64; echo "registry pw: pw"; echo "auth: ZGVwbG95OnB3"; echo "$API_KEY" >&2; exit 1`}
	})
	var logs bytes.Buffer
	var outcomes []notify.Outcome
	p := h.pipeline("registry.example.com/team/hello:1.0.0")
	p.CommandEnv = []string{"API_KEY=" + value}
	p.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	p.Notify = []notify.Notifier{notify.Func(func(_ context.Context, o notify.Outcome) error { outcomes = append(outcomes, o); return nil })}
	jsonOut := progress.NewJSONLines(&logs)
	p.Observer = func(e progress.Event) { h.rec.Observe(e); jsonOut.Observe(e) }
	report, err := p.Run(t.Context())
	require.Error(t, err)
	assert.ErrorIs(t, err, acceptance.ErrFailed, "the chain survives scrubbing")

	var all bytes.Buffer
	all.Write(logs.Bytes())
	fmt.Fprintf(&all, "%v\n%+v\n%s\n", err, report, report.Summary(err))
	for _, e := range h.rec.Events() {
		fmt.Fprintf(&all, "%+v\n", e)
	}
	for _, o := range outcomes {
		b, _ := json.Marshal(o)
		all.Write(b)
	}
	assert.Contains(t, all.String(), "key=[redacted]", "the output was there, scrubbed")
	for _, leak := range []string{value, base64.StdEncoding.EncodeToString([]byte(value)), "ZGVwbG95OnB3"} {
		assert.NotContains(t, all.String(), leak)
	}
}
