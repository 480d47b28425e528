package beanswap

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlanIsADryRun(t *testing.T) {
	h := newHarness(t, nil)
	p := h.pipeline("registry.example.com/team/hello:1.0.0")
	plan, err := p.Plan(context.Background())
	require.NoError(t, err)
	out := plan.String()
	assert.Contains(t, out, "registry auth: write credentials for registry.example.com (from config.json) to s3://hello-docker/docker/dockercfg")
	assert.Contains(t, out, "application:  hello (to create)")
	assert.Contains(t, out, "create "+plan.Deploy.Environment+" on CNAME prefix hello")
	assert.Contains(t, out, "swap:         none: first deploy")
	assert.Contains(t, out, "nothing was changed (dry run)")
	for action, n := range h.sim.Calls() {
		if n > 0 {
			assert.NotRegexp(t, `^(Create|Terminate|Update|Delete|Swap)`, action)
		}
	}

	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.Equal(t, plan.Version, r1.Version, "the plan names the version the run registers")

	plan, err = h.pipeline("registry.example.com/team/hello:1.1.0").Plan(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), "live:         "+r1.Live)
	assert.Contains(t, plan.Swap, "takes hello.us-east-1.elasticbeanstalk.com from "+r1.Live)

	plan, err = h.pipeline("registry.example.com/team/hello:1.0.0").Plan(context.Background())
	require.NoError(t, err)
	assert.True(t, plan.Deploy.AlreadyLive)
	assert.Contains(t, plan.String(), "none: the version is live already")

	_, err = (&Pipeline{}).Plan(context.Background())
	assert.Error(t, err)
	_, err = (&Pipeline{}).Run(context.Background())
	assert.Error(t, err)
}
