package beanswap

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/secret"
)

const dbPasswordARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:hello/db-password-AbCdEf"

// optionsOf returns an environment's settings in namespace, by name.
func (h *harness) optionsOf(env, namespace string) map[string]string {
	out, err := eb.NewFromConfig(h.sim.Config()).DescribeConfigurationSettings(context.Background(), &eb.DescribeConfigurationSettingsInput{ApplicationName: aws.String("hello"), EnvironmentName: aws.String(env)})
	require.NoError(h.t, err)
	got := map[string]string{}
	for _, o := range out.ConfigurationSettings[0].OptionSettings {
		if aws.ToString(o.Namespace) == namespace {
			got[aws.ToString(o.OptionName)] = aws.ToString(o.Value)
		}
	}
	return got
}

// TestSecretReferencesStayInAWS: env_secret_refs reach Beanstalk as ARNs
// in the environment-secrets namespace, never as values, and the plan
// says where each kind of secret can be read.
func TestSecretReferencesStayInAWS(t *testing.T) {
	h := newHarness(t, func(c *config.Config) {
		c.SecretRefs = map[string]string{"DB_PASSWORD": dbPasswordARN}
		c.EnvSecrets = []string{"API_KEY"}
		c.Secrets = map[string]secret.Value{"API_KEY": secret.New("k3y")}
	})
	plan, err := h.pipeline("registry.example.com/team/hello:1.0.0").Plan(context.Background())
	require.NoError(t, err)
	out := plan.String()
	assert.Contains(t, out, "API_KEY (env_secrets): set as plain Beanstalk option values, readable by anyone allowed elasticbeanstalk:DescribeConfigurationSettings")
	assert.Contains(t, out, "DB_PASSWORD (env_secret_refs): read by the instances at boot")
	assert.Contains(t, out, beanstalk.NamespaceSecretRefs+":DB_PASSWORD="+dbPasswordARN)
	assert.NotContains(t, out, "warning:", "the recommended platform is recent enough")

	r, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"DB_PASSWORD": dbPasswordARN}, h.optionsOf(r.Live, beanstalk.NamespaceSecretRefs))
	assert.NotContains(t, h.optionsOf(r.Live, beanstalk.NamespaceEnvVars), "DB_PASSWORD")
}

// TestSecretReferencesNeedARecentPlatform: a platform released before
// 2025-03-26 would start the container without the variables; the deploy
// stops before anything changes. A solution stack name cannot be dated:
// a warning says so.
func TestSecretReferencesNeedARecentPlatform(t *testing.T) {
	old := "arn:aws:elasticbeanstalk:us-east-1::platform/Docker running on 64bit Amazon Linux 2023/4.9.2"
	h := newHarness(t, func(c *config.Config) {
		c.SecretRefs = map[string]string{"DB_PASSWORD": dbPasswordARN}
		c.Platform = old
	})
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.ErrorIs(t, err, beanstalk.ErrSecretRefsUnsupported)
	assert.ErrorContains(t, err, "released on 2025-02-13")
	assert.Equal(t, 0, h.sim.CallCount("CreateApplicationVersion")+h.sim.CallCount("CreateEnvironment"))

	h.cfg.Platform = "64bit Amazon Linux 2023 v4.12.0 running Docker"
	plan, err := h.pipeline("registry.example.com/team/hello:1.0.0").Plan(context.Background())
	require.NoError(t, err)
	assert.Contains(t, plan.String(), "warning:      secret references need a platform version released on or after 2025-03-26; solution stack")
	_, err = h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.True(t, h.saw(func(e progress.Event) bool {
		w, ok := e.(progress.Warning)
		return ok && w.Step == beanstalk.StepDeploy && strings.Contains(w.Message, "secret references need a platform version")
	}), "the deploy warns as it goes")
}
