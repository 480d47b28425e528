package beanswap

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

// lagging is a harness whose simulator lists new environments only after
// lag, as AWS's eventually consistent control plane may.
func lagging(t *testing.T, lag time.Duration) *harness {
	h := newHarness(t, nil)
	sim := startSim(t, beanstalktest.Options{Clock: h.clock, Timing: beanstalktest.Timing{Visibility: lag}})
	h.sim, h.clients = sim, NewClients(sim.Config())
	return h
}

func (h *harness) saw(match func(progress.Event) bool) bool {
	for _, e := range h.rec.Events() {
		if match(e) {
			return true
		}
	}
	return false
}

// TestNewEnvironmentsListedLate: right after CreateEnvironment, the new
// environment is missing from DescribeEnvironments for a while. That is
// "not yet", never a failure, and nothing is terminated for it.
func TestNewEnvironmentsListedLate(t *testing.T) {
	h := lagging(t, 90*time.Second)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.Equal(t, r2.Version, h.liveVersion())
	assert.Equal(t, r1.Live, r2.Swap.Previous)
	assert.Equal(t, 0, h.sim.CallCount("TerminateEnvironment"))
}

// TestRerunOfAnInterruptedFirstDeployWaitsForIt: the first deploy is
// interrupted while its environment launches; the re-run, before
// Beanstalk even lists the environment, waits for it instead of calling
// the live prefix taken or its health "Grey: repair it".
func TestRerunOfAnInterruptedFirstDeployWaitsForIt(t *testing.T) {
	h := lagging(t, 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	p := h.pipeline("registry.example.com/team/hello:1.0.0")
	p.Observer = func(e progress.Event) {
		if i, ok := e.(progress.Info); ok && strings.HasPrefix(i.Message, "creating environment") {
			cancel()
		}
	}
	_, err := p.Run(ctx)
	require.ErrorIs(t, err, context.Canceled)

	r, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.True(t, r.Deployment.FirstDeploy)
	assert.Equal(t, r.Version, h.liveVersion())
	assert.Equal(t, 1, h.sim.CallCount("CreateEnvironment"), "the interrupted run's environment, waited for")
	assert.True(t, h.saw(func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.Contains(i.Message, "waiting for Beanstalk to list it")
	}))

	// Once listed, still launching: the next re-run waits for it too.
	h2 := lagging(t, time.Second)
	ctx, cancel = context.WithCancel(context.Background())
	p = h2.pipeline("registry.example.com/team/hello:1.0.0")
	p.Observer = func(e progress.Event) {
		if b, ok := e.(progress.BeanstalkEvent); ok && strings.Contains(b.Message, "createEnvironment is starting") {
			cancel()
		}
	}
	_, err = p.Run(ctx)
	require.Error(t, err)
	r, err = h2.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err, "a launching first deploy is waited for, not 'repaired'")
	assert.True(t, r.Deployment.Adopted)
	assert.Equal(t, 1, h2.sim.CallCount("CreateEnvironment"))
}

// TestLaunchingFailureIsTerminatedOnceItCanBe: Beanstalk refuses to
// terminate a launching environment; the cleanup waits until it can, says
// so, and leaves nothing billed behind.
func TestLaunchingFailureIsTerminatedOnceItCanBe(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true, FailureReason: "Failed to pull Docker image: manifest unknown", LaunchDuration: 20 * time.Minute})
	r, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.ErrorIs(t, err, beanstalk.ErrLaunchFailed)
	assert.Contains(t, r.Left, "terminated")
	assert.Equal(t, types.EnvironmentStatusTerminated, h.environments()[r.Deployment.Name()].Status)
	assert.True(t, h.saw(func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.Contains(i.Message, "cannot be terminated while it launches or updates: waiting until it can")
	}), "the wait is reported")
}

// TestRollbackRightAfterADeploy: the deploy's tag writes leave the
// environments Updating for a while; a rollback at once waits for them
// instead of being refused.
func TestRollbackRightAfterADeploy(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	svc := h.service()
	svc.Config.PruneAfterDeploy = false
	statuses := map[string]types.EnvironmentStatus{}
	for name, e := range h.environments() {
		statuses[name] = e.Status
	}
	assert.Contains(t, statuses, r1.Live)
	res, err := svc.SwitchLive(context.Background(), Previous)
	require.NoError(t, err)
	assert.Equal(t, r1.Live, res.Live)
	assert.Equal(t, r1.Version, h.liveVersion())
	tags := h.tags(res.Live)
	assert.NotEmpty(t, tags[beanstalk.TagWentLive])
}

func (h *harness) tags(env string) map[string]string {
	h.t.Helper()
	e := h.environments()[env]
	m := beanstalk.NewMonitor(NewClients(h.sim.Config()).Beanstalk, beanstalk.MonitorOptions{Clock: h.clock})
	tags, err := m.Tags(context.Background(), NewClients(h.sim.Config()).Beanstalk, aws.ToString(e.EnvironmentArn))
	require.NoError(h.t, err)
	return tags
}

// TestHealthGrace: a fresh environment may show Yellow, or even Red,
// while it warms up; that is not a failure during health_grace. Red past
// it is.
func TestHealthGrace(t *testing.T) {
	for name, tc := range map[string]struct {
		outcome beanstalktest.Outcome
		fails   bool
	}{
		"yellow while warming up": {outcome: beanstalktest.Outcome{ReadyHealth: types.EnvironmentHealthYellow, HealthyAfter: 2 * time.Minute}},
		"red while warming up":    {outcome: beanstalktest.Outcome{ReadyHealth: types.EnvironmentHealthRed, HealthyAfter: time.Minute}},
		"red for good":            {outcome: beanstalktest.Outcome{ReadyHealth: types.EnvironmentHealthRed, NeverHealthy: true}, fails: true},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, nil)
			_, err := h.deploy("registry.example.com/team/hello:1.0.0")
			require.NoError(t, err)
			h.sim.ScriptDefault(tc.outcome)
			start := h.clock.Now()
			r, err := h.deploy("registry.example.com/team/hello:1.1.0")
			if !tc.fails {
				require.NoError(t, err)
				assert.Equal(t, r.Version, h.liveVersion())
				return
			}
			var le *beanstalk.LaunchError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, "Red", le.Health)
			took := h.clock.Now().Sub(start)
			assert.Less(t, took, 20*time.Minute, "failed after the grace, not at the launch timeout (%s)", took)
		})
	}
}

// TestHTTPSWithACertificate: with aws_cert_arn, acceptance and the
// verification after the swap reach the environments over HTTPS, not
// verifying the certificate (it names the live host, not the CNAME).
func TestHTTPSWithACertificate(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.CertARN = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
		c.LiveURL = "https://api.hello.example.com"
	})
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	var targets []string
	for _, e := range h.rec.Events() {
		if c, ok := e.(progress.CheckResult); ok && c.Passed {
			targets = append(targets, c.Target)
		}
	}
	require.NotEmpty(t, targets)
	for _, tg := range targets {
		assert.True(t, strings.HasPrefix(tg, "https://"), tg)
	}
}

// TestDNSGrace: an environment that stopped being live is not terminated
// before the CNAME's TTL (and a margin) has passed, whatever the policy:
// not by pruning with keep_environments 0, not the candidate a failed
// verification swapped back out.
func TestDNSGrace(t *testing.T) {
	t.Run("keep_environments 0", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config) { c.KeepEnvironments = 0 })
		r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
		require.NoError(t, err)
		r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
		require.NoError(t, err)
		assert.Empty(t, r2.Pruned.Terminated, "just swapped out")
		assert.Contains(t, r2.Pruned.Plan.String(), r1.Live+": would go (was live until replaced; beyond keep_environments 0), but it changed")
		assert.Contains(t, r2.Pruned.Plan.String(), "DNS caches may still send it traffic")
		h.clock.Advance(2 * time.Minute)
		res, err := h.service().Prune(context.Background())
		require.NoError(t, err)
		assert.Equal(t, []string{r1.Live}, res.Terminated, "once the grace has passed")
	})
	t.Run("swapped-back candidate", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = 2 * time.Minute })
		_, err := h.deploy("registry.example.com/team/hello:1.0.0")
		require.NoError(t, err)
		h.sim.ScriptDefault(beanstalktest.Outcome{DegradeAfterSwap: true})
		r, err := h.deploy("registry.example.com/team/hello:2.0.0")
		require.Error(t, err)
		assert.Contains(t, r.Left, "terminated")
		var backAt, terminatedAt time.Time
		for _, e := range h.sim.Journal() {
			switch {
			case e.Action == beanstalktest.JournalSwapDone && e.Environment == r.Live:
				backAt = e.At
			case e.Action == beanstalktest.JournalTerminate && strings.HasPrefix(e.Environment, "hello-2-0-0"):
				terminatedAt = e.At
			}
		}
		require.False(t, backAt.IsZero() || terminatedAt.IsZero())
		assert.GreaterOrEqual(t, terminatedAt.Sub(backAt), 90*time.Second, "terminated only after the DNS grace")
	})
}
