package beanswap

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
)

// TestStagedDeployPromotedLater: a staged deploy launches and accepts
// the new version and leaves live traffic alone; hours later, Promote
// runs the checks again and swaps it in, verified.
func TestStagedDeployPromotedLater(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)

	pushImage(t, h.sim, "registry.example.com/team/hello:1.1.0")
	svc := h.service()
	staged, err := svc.Stage(context.Background(), "registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	require.NotEmpty(t, staged.Staged)
	assert.Equal(t, r1.Version, h.liveVersion(), "live traffic untouched")
	assert.Equal(t, 0, h.sim.CallCount("SwapEnvironmentCNAMEs"))
	assert.Contains(t, staged.Summary(nil), "staged hello "+staged.Version)
	assert.Contains(t, staged.StagedURL, ".us-east-1.elasticbeanstalk.com")

	inv, err := svc.Status(context.Background())
	require.NoError(t, err)
	require.Len(t, inv.Staged, 1)
	assert.Equal(t, staged.Staged, inv.Staged[0].Name())

	// A quiet hour later; pruning meanwhile keeps the staged environment.
	h.clock.Advance(5 * time.Hour)
	res, err := svc.Prune(context.Background())
	require.NoError(t, err)
	assert.NotContains(t, res.Terminated, staged.Staged)
	assert.Contains(t, h.active(), staged.Staged)

	checks := h.sim.CallCount("DescribeEnvironments")
	promoted, err := svc.Promote(context.Background())
	require.NoError(t, err)
	assert.True(t, promoted.Promoted)
	assert.Equal(t, staged.Staged, promoted.Live)
	assert.Equal(t, staged.Version, h.liveVersion())
	require.NotNil(t, promoted.Swap)
	assert.Equal(t, 2, promoted.Swap.Verified)
	assert.Equal(t, r1.Live, promoted.Swap.Previous)
	assert.Greater(t, h.sim.CallCount("DescribeEnvironments"), checks)
	assert.Contains(t, promoted.Summary(nil), "promoted hello "+staged.Version)

	_, err = svc.Promote(context.Background())
	assert.ErrorIs(t, err, beanstalk.ErrNothingStaged, "promoted once")
}

// TestPromoteRunsTheChecksAgain: the staged environment broke while it
// waited; promoting it fails its checks and live traffic stays.
func TestPromoteRunsTheChecksAgain(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = time.Minute })
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	pushImage(t, h.sim, "registry.example.com/team/hello:1.1.0")
	svc := h.service()
	staged, err := svc.Stage(context.Background(), "registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)

	require.True(t, h.sim.SetHandler(staged.Staged, http.NotFoundHandler()))
	_, err = svc.Promote(context.Background())
	require.Error(t, err)
	assert.Equal(t, r1.Version, h.liveVersion())
	assert.Equal(t, 0, h.sim.CallCount("SwapEnvironmentCNAMEs"))
}

func TestStagingNeedsALiveEnvironment(t *testing.T) {
	h := newHarness(t, nil)
	pushImage(t, h.sim, "registry.example.com/team/hello:1.0.0")
	_, err := h.service().Stage(context.Background(), "registry.example.com/team/hello:1.0.0")
	require.ErrorContains(t, err, "a first deploy goes live at once")
	assert.Equal(t, 0, h.sim.CallCount("CreateEnvironment"))
}

// TestNewerStageSupersedesOlder: two staged versions; the newer is the
// one promoted, and pruning retires the older one.
func TestNewerStageSupersedesOlder(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	svc := h.service()
	var names []string
	for _, tag := range []string{"1.1.0", "1.2.0"} {
		pushImage(t, h.sim, "registry.example.com/team/hello:"+tag)
		r, err := svc.Stage(context.Background(), "registry.example.com/team/hello:"+tag)
		require.NoError(t, err)
		names = append(names, r.Staged)
		h.clock.Advance(time.Minute)
	}
	plan, err := svc.PlanPrune(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), names[0]+": staged, superseded by "+names[1])
	p, err := svc.Promote(context.Background())
	require.NoError(t, err)
	assert.Equal(t, names[1], p.Live)
}
