package beanswap

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/config"
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

	_, err = (&Service{}).Plan(context.Background(), "team/hello:1")
	assert.Error(t, err)
	_, err = (&Service{}).Deploy(context.Background(), "team/hello:1")
	assert.Error(t, err)
}

func TestPlanAuthAndRoute53(t *testing.T) {
	tests := map[string]struct {
		image string
		edit  func(*config.Config)
		want  []string
		err   string
	}{
		"public image": {image: "public.example.com/team/hello:1.0.0", edit: func(c *config.Config) { c.DockerAuthFormat = config.AuthFormatNone },
			want: []string{"registry auth: none: docker_auth_format: none (public image)"}},
		"Amazon ECR": {image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:1.0.0",
			want: []string{"registry auth: none: Amazon ECR (us-east-1) images are pulled with the instance profile"}},
		"no credentials": {image: "ghcr.io/team/hello:1.0.0", err: "registry-auth: "},
		"hosted zone": {image: "registry.example.com/team/hello:1.0.0", edit: func(c *config.Config) { c.AWSZoneID = "Z123" },
			want: []string{"point api.hello.example.com (zone Z123) at the live CNAME"}},
		"acceptance command": {image: "registry.example.com/team/hello:1.0.0", edit: func(c *config.Config) { c.AcceptanceCommand = []string{"pymtest", "--host", "{host}"} },
			want: []string{"command: pymtest --host {host}"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, tc.edit)
			p := h.pipeline(tc.image)
			p.Clients.Route53 = nil // the plan reads no record without a client
			plan, err := p.Plan(context.Background())
			if tc.err != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.err)
				assert.ErrorContains(t, err, "ghcr.io", "the error names the registry")
				return
			}
			require.NoError(t, err)
			for _, w := range tc.want {
				assert.Contains(t, plan.String(), w)
			}
		})
	}
}
