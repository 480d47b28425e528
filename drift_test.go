package beanswap

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/secret"
)

// TestDryRunShowsConsoleChanges: someone changed the live environment in
// the console (a longer command timeout, a larger instance type, a
// feature flag). The dry run shows each, and the deploy warns about the
// settings it drops — never a variable's value.
func TestDryRunShowsConsoleChanges(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.EnvSecrets = []string{"API_KEY"}
		c.Secrets = map[string]secret.Value{"API_KEY": secret.New("k3y-one")}
	})
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)

	plan, err := h.pipeline("registry.example.com/team/hello:1.1.0").Plan(context.Background())
	require.NoError(t, err)
	assert.Empty(t, plan.Deploy.Drift, "nothing changed by hand: no drift, whatever Beanstalk's defaults")

	setting := func(ns, name, value string) types.ConfigurationOptionSetting {
		return types.ConfigurationOptionSetting{Namespace: aws.String(ns), OptionName: aws.String(name), Value: aws.String(value)}
	}
	h.clock.Advance(time.Minute) // the went-live tag's update
	_, err = eb.NewFromConfig(h.sim.Config()).UpdateEnvironment(context.Background(), &eb.UpdateEnvironmentInput{EnvironmentName: aws.String(r1.Live),
		OptionSettings: []types.ConfigurationOptionSetting{
			setting("aws:elasticbeanstalk:command", "Timeout", "900"),
			setting("aws:ec2:instances", "InstanceTypes", "t3.small"),
			setting("aws:elasticbeanstalk:application:environment", "FEATURE_FLAG", "hush-hush"),
			setting("aws:elasticbeanstalk:application:environment", "API_KEY", "k3y-two"),
		}})
	require.NoError(t, err)
	h.clock.Advance(5 * time.Minute)

	plan, err = h.pipeline("registry.example.com/team/hello:1.1.0").Plan(context.Background())
	require.NoError(t, err)
	out := plan.String()
	assert.Contains(t, out, `drift:        aws:ec2:instances InstanceTypes: "t3.small" on `+r1.Live+`, "t3.micro" in this configuration`)
	assert.Contains(t, out, `aws:elasticbeanstalk:application:environment API_KEY: value differs from `+r1.Live+`'s (not shown)`)
	assert.Contains(t, out, "aws:elasticbeanstalk:application:environment FEATURE_FLAG: set on "+r1.Live+" (value not shown), not in this configuration: dropped")
	assert.Contains(t, out, `aws:elasticbeanstalk:command Timeout: "900" on `+r1.Live+`, not in this configuration: the new environment gets the default "600"`)
	for _, v := range []string{"hush-hush", "k3y-one", "k3y-two"} {
		assert.NotContains(t, out, v)
	}

	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	var warned []string
	for _, e := range h.rec.Events() {
		if w, ok := e.(progress.Warning); ok && strings.Contains(w.Message, "this configuration does not") {
			warned = append(warned, w.Message)
		}
	}
	assert.Len(t, warned, 2, "the dropped Timeout and FEATURE_FLAG: %v", warned)
}
