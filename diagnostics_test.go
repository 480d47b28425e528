package beanswap

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/secret"
	"github.com/beanswap/beanswap/swap"
)

// TestFailedLaunchSaysWhy: the launch fails with Beanstalk's vague
// "completed with errors"; the error itself names the eb-engine.log line
// that explains it, and the report and the notification carry the
// events, and the end of the engine's and the container's logs — a
// secret the container printed scrubbed from all of it.
func TestFailedLaunchSaysWhy(t *testing.T) {
	const key = "s3cr3t-k3y-value"
	h := newHarness(t, func(c *config.Config) {
		c.EnvSecrets = []string{"API_KEY"}
		c.Secrets = map[string]secret.Value{"API_KEY": secret.New(key)}
	})
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptVersion("", beanstalktest.Outcome{})
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true, FailureReason: "Engine execution has encountered an error: the container exited with code 2",
		ContainerLog: []string{"connecting with API_KEY=" + key, "panic: DATABASE_URL is not set"}})

	var got []notify.Outcome
	p := h.pipeline("registry.example.com/team/hello:2.0.0")
	p.Notify = []notify.Notifier{notify.Func(func(_ context.Context, o notify.Outcome) error { got = append(got, o); return nil })}
	r, err := p.Run(context.Background())
	require.ErrorIs(t, err, beanstalk.ErrLaunchFailed)
	assert.Regexp(t, `why: eb-engine\.log on i-0\w+: \d{4}/\d\d/\d\d [\d:.]+ \[ERROR\] An error occurred during execution of command \[app-deploy\] - \[Docker Specific Build Application\]\. Stop running the command\. Error: Engine execution has encountered an error: the container exited with code 2`, err.Error())
	assert.Contains(t, r.Left, "terminated", "diagnosed first, then terminated")

	require.NotNil(t, r.Diagnostics)
	d := r.Diagnostics
	require.Len(t, d.Instances, 1)
	assert.Contains(t, d.Instances[0].ContainerLog, "panic: DATABASE_URL is not set")
	assert.Contains(t, strings.Join(d.Instances[0].ContainerLog, "\n"), "API_KEY="+secret.Redacted)
	assert.NotEmpty(t, d.Events)
	assert.Contains(t, r.Summary(err), "container output (end):")

	require.Len(t, got, 1)
	assert.Contains(t, got[0].Diagnostics, "panic: DATABASE_URL is not set")
	for _, text := range []string{err.Error(), r.Summary(err), got[0].Diagnostics, d.String()} {
		assert.NotContains(t, text, key)
	}
}

// TestSwappedBackSaysWhy: verification fails after the swap; the
// diagnostics are gathered before the candidate is terminated.
func TestSwappedBackSaysWhy(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{DegradeAfterSwap: true, ContainerLog: []string{"error: connection pool exhausted"}})
	r, err := h.deploy("registry.example.com/team/hello:1.1.0")
	var se *swap.Error
	require.ErrorAs(t, err, &se)
	assert.True(t, se.SwappedBack)
	require.NotNil(t, r.Diagnostics)
	assert.Contains(t, r.Diagnostics.Instances[0].ContainerLog, "error: connection pool exhausted")
	assert.NotEmpty(t, r.Diagnostics.Explanation)
	assert.Contains(t, err.Error(), "why: ")
}

// TestDiagnosticsNeverHideTheFailure: the logs cannot be downloaded;
// the failure is reported as it is, and the diagnostics say what is
// missing.
func TestDiagnosticsNeverHideTheFailure(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true})
	p := h.pipeline("registry.example.com/team/hello:2.0.0")
	base := p.HTTPClient.Transport
	p.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.Contains(r.URL.Path, "/resources/environments/logs/") {
			return nil, errors.New("connection refused")
		}
		return base.RoundTrip(r)
	})}
	r, err := p.Run(context.Background())
	require.ErrorIs(t, err, beanstalk.ErrLaunchFailed)
	require.NotNil(t, r.Diagnostics)
	require.Len(t, r.Diagnostics.Incomplete, 1)
	assert.Contains(t, r.Diagnostics.Incomplete[0], "logs: download the logs of i-0")
	assert.NotContains(t, r.Diagnostics.Incomplete[0], "X-Amz-Signature", "a presigned URL is not quoted")
	assert.Contains(t, err.Error(), "Command failed on instance", "the ERROR events explain it still")
	assert.Equal(t, r.Diagnostics.Explanation, r.Diagnostics.Events[len(r.Diagnostics.Events)-1].Message)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFailedAcceptanceSaysWhy: the candidate answers 404 everywhere; the
// container's own output says why, and the error carries it.
func TestFailedAcceptanceSaysWhy(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = time.Minute })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{Handler: http.NotFoundHandler(), ContainerLog: []string{"WARN route table empty: ROUTES_FILE not found"}})
	r, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.Error(t, err)
	require.NotNil(t, r.Diagnostics)
	assert.Equal(t, []string{"WARN route table empty: ROUTES_FILE not found"}, r.Diagnostics.Instances[0].ContainerLog)
	assert.Contains(t, err.Error(), "why: container output on i-0")
}

// TestDiagnosticsWithEnhancedHealth: with enhanced health, each
// instance's own health causes come too.
func TestDiagnosticsWithEnhancedHealth(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.ServiceRole, c.HealthReporting = "aws-elasticbeanstalk-service-role", "enhanced"
	})
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true})
	r, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.ErrorIs(t, err, beanstalk.ErrLaunchFailed)
	require.NotNil(t, r.Diagnostics)
	require.Len(t, r.Diagnostics.Instances, 1)
	assert.Equal(t, "Severe", r.Diagnostics.Instances[0].Health)
	assert.Contains(t, r.Diagnostics.Instances[0].Causes[0], "Application deployment failed")
	assert.Empty(t, r.Diagnostics.Incomplete)
}
