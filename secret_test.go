package beanswap

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
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
