package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// env returns a lookup over a fixed map, so tests never read the real
// process environment.
func env(kv ...string) Option {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return WithLookupEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

func TestLoadPymacaronFile(t *testing.T) {
	c, err := Load("testdata/pym-config.yaml", env("HELLO_JWT_SECRET", "s3cr3t-value"))
	require.NoError(t, err)

	assert.Equal(t, "hello", c.Name)
	assert.Equal(t, "hello", c.Application, "application defaults to name")
	assert.Equal(t, "hello", c.CNAMEPrefix)
	assert.Equal(t, "deployer", c.AWSProfile, "aws_user is the profile")
	assert.Equal(t, "Z1D633PJN98FT9", c.AWSZoneID, "the /hostedzone/ prefix is dropped")
	assert.Equal(t, "https://api.hello.example.com", c.LiveURL, "a certificate makes the live URL https")
	assert.Equal(t, 1, c.HostsMin)
	assert.Equal(t, 6, c.HostsMax)
	assert.Equal(t, 45*time.Minute, c.Timeouts.Launch)
	assert.Equal(t, 10*time.Minute, c.Timeouts.Swap)
	assert.Equal(t, 3*time.Minute, c.SwapSoak)
	assert.Equal(t, "enhanced", c.HealthReporting, "a service role turns on enhanced health")
	assert.Equal(t, DefaultPlatformBranch, c.PlatformBranch)
	assert.Equal(t, []OptionSetting{{Namespace: "aws:elasticbeanstalk:command", OptionName: "Timeout", Value: "900"}}, c.OptionSettings)
	assert.Equal(t, "s3cr3t-value", c.Secrets["HELLO_JWT_SECRET"].Reveal())

	var noted []string
	for _, n := range c.Notes {
		noted = append(noted, n.Key)
		assert.Contains(t, n.String(), "testdata/pym-config.yaml:")
	}
	assert.ElementsMatch(t, []string{"with_async", "include_links", "jwt_issuer", "jwt_secret", "my_api_key"}, noted)

	env := c.Spec().Environment
	assert.Equal(t, map[string]string{"PYM_ENV": "live", "LOG_LEVEL": "info"}, env.Env)
	assert.Len(t, env.Secrets, 1)
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	tests := map[string]struct {
		path    string
		is      error
		message string
	}{
		"missing file":   {path: filepath.Join(dir, "nope.yaml"), is: fs.ErrNotExist, message: "nope.yaml"},
		"empty file":     {path: write("empty.yaml", ""), is: ErrEmpty, message: "empty.yaml"},
		"only comments":  {path: write("comments.yaml", "# nothing\n\n"), is: ErrEmpty},
		"bad yaml":       {path: write("bad.yaml", "name: [hello\n"), message: "bad.yaml"},
		"tabs":           {path: write("tabs.yaml", "name: a\n\tlive_host: b\n"), message: "tabs.yaml"},
		"top-level list": {path: write("list.yaml", "- name: hello\n"), message: "expected a mapping of keys at the top level"},
		"duplicate key":  {path: write("dup.yaml", "name: a\nname: b\n"), message: "dup.yaml:2: name: defined twice (first at line 1)"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(tc.path, env())
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.message)
		})
	}
}

const minimal = `name: hello
deploy_target: aws-beanstalk
docker_bucket: hello-docker-cfg
live_host: api.hello.example.com
aws_instance_profile: aws-elasticbeanstalk-ec2-role
`

func TestParseMinimalDefaults(t *testing.T) {
	c, err := Parse("pym-config.yaml", []byte(minimal), env())
	require.NoError(t, err)
	want := Default()
	want.File = "pym-config.yaml"
	want.Name, want.Application, want.CNAMEPrefix = "hello", "hello", "hello"
	want.DockerBucket = "hello-docker-cfg"
	want.LiveHost, want.LiveURL = "api.hello.example.com", "http://api.hello.example.com"
	want.InstanceProfile = "aws-elasticbeanstalk-ec2-role"
	want.HealthReporting = "basic"
	want.AcceptanceChecks = []AcceptanceCheck{{Name: "health", Method: "GET", Path: "/ping", Status: 200}}
	assert.Equal(t, want, c)
}

func TestParseLiveHostAsURL(t *testing.T) {
	body := strings.Replace(minimal, "live_host: api.hello.example.com", "live_host: https://api.hello.example.com/", 1)
	c, err := Parse("pym-config.yaml", []byte(body), env())
	require.NoError(t, err)
	assert.Equal(t, "api.hello.example.com", c.LiveHost)
	assert.Equal(t, "https://api.hello.example.com", c.LiveURL)
}

func TestParseNullKeepsDefault(t *testing.T) {
	c, err := Parse("f.yaml", []byte(minimal+"aws_hosts_max:\n"), env())
	require.NoError(t, err)
	assert.Equal(t, 4, c.HostsMax)
}

func TestEnvironmentOverrides(t *testing.T) {
	c, err := Parse("f.yaml", []byte(minimal+"aws_region: eu-west-1\n"), env(
		"BEANSWAP_AWS_REGION", "us-east-2",
		"BEANSWAP_AWS_HOSTS_MAX", "7",
		"BEANSWAP_ENV_SECRETS", "A, B",
		"BEANSWAP_SWAP_TIMEOUT", "90",
		"A", "a", "B", "b",
	))
	require.NoError(t, err)
	assert.Equal(t, "us-east-2", c.AWSRegion)
	assert.Equal(t, 7, c.HostsMax)
	assert.Equal(t, []string{"A", "B"}, c.EnvSecrets)
	assert.Equal(t, 90*time.Second, c.Timeouts.Swap)

	_, err = Parse("f.yaml", []byte(minimal), env("BEANSWAP_AWS_HOSTS_MIN", "two"))
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, []Problem{{File: "$BEANSWAP_AWS_HOSTS_MIN", Key: "aws_hosts_min", Message: `expected an integer, got "two"`}}, verr.Problems)
}

func TestStrictRejectsUnknownKeys(t *testing.T) {
	body := minimal + "jwt_issuer: x\nmy_api_key: y\n"
	_, err := Parse("f.yaml", []byte(body), env())
	require.NoError(t, err, "application keys are accepted by default")

	_, err = Parse("f.yaml", []byte(body), env(), Strict())
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.Len(t, verr.Problems, 1, "known pymacaron keys stay accepted in strict mode")
	assert.Equal(t, "my_api_key", verr.Problems[0].Key)
	assert.Equal(t, 7, verr.Problems[0].Line)
}

func TestSkipSecrets(t *testing.T) {
	body := minimal + "env_secrets: [MISSING]\n"
	_, err := Parse("f.yaml", []byte(body), env())
	require.Error(t, err)
	c, err := Parse("f.yaml", []byte(body), env(), SkipSecrets())
	require.NoError(t, err)
	assert.Empty(t, c.Secrets)
}

func TestValidateGoConfig(t *testing.T) {
	c := Default()
	c.Name = "hello"
	c.LiveHost = "api.example.com"
	c.DockerBucket = "bucket-x"
	require.NoError(t, c.Validate())
	assert.Equal(t, DefaultInstanceProfile, c.InstanceProfile, "pymacaron never set one")
	c.InstanceProfile = ""
	var verr *ValidationError
	require.ErrorAs(t, c.Validate(), &verr)
	assert.True(t, verr.Has("aws_instance_profile"))

	c.InstanceProfile = "p"
	require.NoError(t, c.Validate())
	assert.Equal(t, "hello", c.Application)
	var p Problem
	assert.False(t, errors.As(c.Validate(), &p))
}

func TestAcceptanceSettings(t *testing.T) {
	body := minimal + `acceptance_checks:
  - path: /ping
  - name: version
    path: /version
    json_field: version
    equals: "{version}"
  - method: head
    path: /
    status: 204
acceptance_command: [pymtest, --live]
on_failure: keep
`
	c, err := Parse("f.yaml", []byte(body), env())
	require.NoError(t, err)
	assert.Equal(t, []AcceptanceCheck{
		{Name: "GET /ping", Method: "GET", Path: "/ping", Status: 200},
		{Name: "version", Method: "GET", Path: "/version", Status: 200, JSONField: "version", Equals: "{version}"},
		{Name: "head /", Method: "head", Path: "/", Status: 204},
	}, c.AcceptanceChecks)
	assert.Equal(t, []string{"pymtest", "--live"}, c.AcceptanceCommand)
	assert.Equal(t, OnFailureKeep, c.OnFailure)

	c, err = Parse("f.yaml", []byte(minimal+"lock: off\nprune_after_deploy: no\nlock_wait: 5m\n"), env("BEANSWAP_PRUNE_UNMANAGED", "true"))
	require.NoError(t, err)
	assert.False(t, c.Lock)
	assert.False(t, c.PruneAfterDeploy)
	assert.True(t, c.PruneUnmanaged)
	assert.Equal(t, 5*time.Minute, c.LockWait)

	c, err = Parse("f.yaml", []byte(minimal+"acceptance_command: [pymtest]\n"), env())
	require.NoError(t, err)
	assert.Empty(t, c.AcceptanceChecks, "a command replaces the default health check")
}
