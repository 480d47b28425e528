package beanswap

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

func (h *harness) minSize(env string) string {
	return h.optionsOf(env, beanstalk.NamespaceASG)["MinSize"]
}

// TestCapacityParity: the live environment has scaled out to 3
// instances; the new one starts with 3 (not aws_hosts_min's 1), takes
// the traffic, and only then has its minimum lowered back to 1.
func TestCapacityParity(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	n, err := h.sim.SetCapacity(r1.Live, 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	plan, err := h.pipeline("registry.example.com/team/hello:1.1.0").Plan(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), "capacity:     MinSize 3: "+r1.Live+" has 3 in service (Auto Scaling group awseb-")
	assert.Contains(t, plan.String(), "configured 1, max 4; back to 1 once live")

	var minAtSwap string
	p := h.pipeline("registry.example.com/team/hello:1.1.0")
	p.Observer = func(e progress.Event) {
		h.rec.Observe(e)
		if s, ok := e.(progress.StepStarted); ok && s.Step == StepSwap {
			minAtSwap = h.minSize(h.newest())
		}
	}
	r2, err := p.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "3", minAtSwap, "the candidate took the traffic with 3 instances at least")
	assert.True(t, r2.CapacityRestored)
	assert.Equal(t, "1", h.minSize(r2.Live), "back to aws_hosts_min once live")
	assert.True(t, h.saw(func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && i.Step == StepCapacity && strings.Contains(i.Message, "lowering its MinSize from 3 back to 1")
	}))
	assert.Equal(t, "1", h.minSize(r1.Live), "the previous environment is as it was")
}

// newest is the most recently created environment.
func (h *harness) newest() string {
	var name string
	var at int64
	for n, e := range h.environments() {
		if e.DateCreated.UnixNano() >= at {
			name, at = n, e.DateCreated.UnixNano()
		}
	}
	return name
}

func TestCapacityParityBounds(t *testing.T) {
	t.Run("capped by aws_hosts_max", func(t *testing.T) {
		h := newHarness(t, nil)
		r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
		require.NoError(t, err)
		_, err = h.sim.SetCapacity(r1.Live, 4)
		require.NoError(t, err)
		h.cfg.HostsMax = 2
		plan, err := h.pipeline("registry.example.com/team/hello:1.1.0").Plan(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 4, plan.Deploy.Capacity.InService)
		assert.Equal(t, 2, plan.Deploy.Capacity.Min)
	})
	t.Run("without Auto Scaling, Beanstalk's instance list", func(t *testing.T) {
		h := newHarness(t, nil)
		r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
		require.NoError(t, err)
		_, err = h.sim.SetCapacity(r1.Live, 2)
		require.NoError(t, err)
		p := h.pipeline("registry.example.com/team/hello:1.1.0")
		p.Clients.AutoScaling = nil
		plan, err := p.Plan(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 2, plan.Deploy.Capacity.Min)
		assert.Equal(t, "instances Beanstalk lists", plan.Deploy.Capacity.Source)
	})
	t.Run("turned off", func(t *testing.T) {
		h := newHarness(t, func(c *config.Config) { c.CapacityParity = false })
		r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
		require.NoError(t, err)
		_, err = h.sim.SetCapacity(r1.Live, 3)
		require.NoError(t, err)
		r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
		require.NoError(t, err)
		assert.Nil(t, r2.Deployment.Capacity)
		assert.Equal(t, 0, h.sim.CallCount("DescribeEnvironmentResources"))
		assert.Equal(t, 0, h.sim.CallCount("UpdateEnvironment"))
	})
}

// TestCapacityRestoredByTheNextRun: a run interrupted after the swap
// leaves the raised minimum; the next run of the same image finds the
// version live and lowers it.
func TestCapacityRestoredByTheNextRun(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	_, err = h.sim.SetCapacity(r1.Live, 3)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	p := h.pipeline("registry.example.com/team/hello:1.1.0")
	p.Observer = func(e progress.Event) {
		if s, ok := e.(progress.StepStarted); ok && s.Step == StepCapacity {
			cancel()
		}
	}
	r2, _ := p.Run(ctx)
	require.NotNil(t, r2.Swap)
	assert.Equal(t, "3", h.minSize(r2.Swap.Live), "interrupted before the restore")

	r3, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.True(t, r3.Deployment.AlreadyLive)
	assert.True(t, r3.CapacityRestored)
	assert.Equal(t, "1", h.minSize(r3.Live))

	r4, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.False(t, r4.CapacityRestored, "once is enough")
}
