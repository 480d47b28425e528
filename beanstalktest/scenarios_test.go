package beanstalktest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScriptedLaunchFailure(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.s.ScriptVersion("v1", Outcome{FailLaunch: true, FailureReason: "Failed to pull Docker image team/hello:v1: pull access denied."})
	f.create("hello-v1", "v1", "")
	f.clock.Advance(5 * time.Minute)
	e := f.env("hello-v1")
	assert.Equal(t, types.EnvironmentStatusReady, e.Status, "Beanstalk ends a failed create in Ready")
	assert.Equal(t, types.EnvironmentHealthRed, e.Health)
	assert.Equal(t, types.EnvironmentHealthStatusSevere, e.HealthStatus)
	ev := f.events("hello-v1")
	assert.Contains(t, ev, "ERROR Failed to pull Docker image team/hello:v1: pull access denied.")
	assert.Contains(t, ev, "ERROR "+msgCreateFailed)
	assert.Contains(t, ev, "WARN Environment health has transitioned from Pending to Severe. Failed to pull Docker image team/hello:v1: pull access denied.")
	assert.NotContains(t, strings.Join(ev, "\n"), "Successfully launched")

	h, err := f.eb.DescribeEnvironmentHealth(f.ctx, &eb.DescribeEnvironmentHealthInput{EnvironmentName: aws.String("hello-v1"), AttributeNames: []types.EnvironmentHealthAttribute{types.EnvironmentHealthAttributeAll}})
	require.NoError(t, err)
	assert.Equal(t, []string{"Failed to pull Docker image team/hello:v1: pull access denied."}, h.Causes)
	assert.Equal(t, "Severe", aws.ToString(h.HealthStatus))

	// Only the severity filter's level and above.
	errs, err := f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String("hello-v1"), Severity: types.EventSeverityError})
	require.NoError(t, err)
	for _, e := range errs.Events {
		assert.Contains(t, []types.EventSeverity{types.EventSeverityError, types.EventSeverityFatal}, e.Severity)
	}
	assert.Len(t, errs.Events, 3)
}

func TestBrokenBundlesFailLikeBeanstalk(t *testing.T) {
	tests := map[string]struct {
		files  map[string]string
		reason string
	}{
		"no Dockerrun nor Dockerfile": {map[string]string{"README": "x"}, "Both 'Dockerfile' and 'Dockerrun.aws.json' are missing"},
		"Dockerrun not JSON":          {map[string]string{"Dockerrun.aws.json": "{"}, "failed to parse Dockerrun.aws.json"},
		"Dockerrun version 2":         {map[string]string{"Dockerrun.aws.json": `{"AWSEBDockerrunVersion": 2, "Image": {"Name": "x"}}`}, "unsupported version"},
		"no image":                    {map[string]string{"Dockerrun.aws.json": `{"AWSEBDockerrunVersion": "1"}`}, "no Image.Name"},
		"auth file missing":           {map[string]string{"Dockerrun.aws.json": `{"AWSEBDockerrunVersion":"1","Image":{"Name":"a/b"},"Authentication":{"Bucket":"hello-bundles","Key":"docker/dockercfg"}}`}, "authentication file (Bucket: hello-bundles, Key: docker/dockercfg)"},
		"ebextension not YAML":        {map[string]string{"Dockerfile": "FROM scratch", ".ebextensions/01.config": "a: [b\n"}, "The configuration file .ebextensions/01.config in application version v1 contains invalid YAML or JSON"},
		"compose beside Dockerrun v1": {map[string]string{"docker-compose.yml": "services:\n  web:\n    image: a/b\n", "Dockerrun.aws.json": `{"AWSEBDockerrunVersion":"1","Image":{"Name":"a/b"}}`}, "must be version 3"},
		"compose image unset":         {map[string]string{"docker-compose.yml": "services:\n  web:\n    image: ${NOT_SET}\n"}, `service "web" in docker-compose.yml has no image`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, Options{})
			f.version("v1", tc.files)
			f.create("hello-v1", "v1", "")
			f.clock.Advance(6 * time.Minute)
			assert.Equal(t, types.EnvironmentHealthRed, f.env("hello-v1").Health)
			assert.Contains(t, strings.Join(f.events("hello-v1"), "\n"), tc.reason)
		})
	}
	t.Run("a compose file takes its image from the environment properties", func(t *testing.T) {
		f := newFixture(t, Options{})
		f.version("v1", map[string]string{"docker-compose.yml": "services:\n  web:\n    image: ${BEANSWAP_IMAGE}\n"})
		f.create("hello-v1", "v1", "", option(nsEnvVars, "BEANSWAP_IMAGE", "team/hello:1"))
		f.clock.Advance(6 * time.Minute)
		assert.Equal(t, types.EnvironmentHealthGreen, f.env("hello-v1").Health)
	})
	t.Run("a Dockerfile builds on the instance", func(t *testing.T) {
		f := newFixture(t, Options{})
		f.version("v1", map[string]string{"Dockerfile": "FROM scratch"})
		f.create("hello-v1", "v1", "")
		f.clock.Advance(6 * time.Minute)
		assert.Equal(t, types.EnvironmentHealthGreen, f.env("hello-v1").Health)
	})
}

func TestHealthyLateAndNever(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.s.ScriptEnvironment("late-env", Outcome{HealthyAfter: 10 * time.Minute, LaunchDuration: time.Minute})
	f.s.ScriptEnvironment("never-env", Outcome{NeverHealthy: true})
	f.create("late-env", "v1", "")
	f.create("never-env", "v1", "")
	f.clock.Advance(time.Minute)
	assert.Equal(t, types.EnvironmentStatusReady, f.env("late-env").Status, "scripted launch duration")
	f.clock.Advance(9 * time.Minute)
	assert.Equal(t, types.EnvironmentHealthGrey, f.env("late-env").Health)
	f.clock.Advance(time.Minute)
	assert.Equal(t, types.EnvironmentHealthGreen, f.env("late-env").Health)
	assert.Equal(t, types.EnvironmentHealthGrey, f.env("never-env").Health)
	assert.Equal(t, types.EnvironmentStatusReady, f.env("never-env").Status)
}

func TestDegradeAfterSwap(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.version("v2", nil)
	f.s.ScriptVersion("v2", Outcome{DegradeAfterSwap: true})
	f.create("hello-v1", "v1", "hello")
	f.create("hello-v2", "v2", "hello-next")
	f.clock.Advance(6 * time.Minute)
	_, err := f.eb.SwapEnvironmentCNAMEs(f.ctx, &eb.SwapEnvironmentCNAMEsInput{SourceEnvironmentName: aws.String("hello-v2"), DestinationEnvironmentName: aws.String("hello-v1")})
	require.NoError(t, err)
	f.clock.Advance(40 * time.Second)
	code, _, err := f.get("hello.us-east-1.elasticbeanstalk.com", "/ping")
	require.NoError(t, err)
	assert.Equal(t, 200, code, "healthy right after the swap")
	f.clock.Advance(15 * time.Second)
	code, _, _ = f.get("hello.us-east-1.elasticbeanstalk.com", "/ping")
	assert.Equal(t, 503, code)
	assert.Equal(t, types.EnvironmentHealthRed, f.env("hello-v2").Health)
	assert.Contains(t, f.events("hello-v2"), "WARN Environment health has transitioned from Ok to Severe. "+degradedCause)
}

func TestHandlers(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.s.ScriptVersion("v1", Outcome{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
	})})
	f.create("hello-v1", "v1", "hello")
	f.clock.Advance(6 * time.Minute)
	code, _, _ := f.get("hello.us-east-1.elasticbeanstalk.com", "/")
	assert.Equal(t, http.StatusTeapot, code)
	require.True(t, f.s.SetHandler("hello-v1", http.NotFoundHandler()))
	code, _, _ = f.get("hello.us-east-1.elasticbeanstalk.com", "/")
	assert.Equal(t, http.StatusNotFound, code)
	assert.False(t, f.s.SetHandler("nope", nil))

	// The load balancer's name answers too.
	ep := aws.ToString(f.env("hello-v1").EndpointURL)
	assert.True(t, strings.HasSuffix(ep, ".us-east-1.elb.amazonaws.com"), ep)
	code, _, _ = f.get(ep, "/")
	assert.Equal(t, http.StatusNotFound, code)
}

func TestUpdateEnvironment(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.version("v2", nil)
	f.version("v3", nil)
	f.s.ScriptVersion("v3", Outcome{FailLaunch: true})
	f.create("hello-v1", "v1", "hello")
	_, err := f.eb.UpdateEnvironment(f.ctx, &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-v1"), VersionLabel: aws.String("v2")})
	assert.ErrorContains(t, err, "Must be Ready", "launching")
	f.clock.Advance(6 * time.Minute)

	up, err := f.eb.UpdateEnvironment(f.ctx, &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-v1"), VersionLabel: aws.String("v2"),
		OptionSettings: []types.ConfigurationOptionSetting{option(nsASG, "MaxSize", "6")}})
	require.NoError(t, err)
	assert.Equal(t, types.EnvironmentStatusUpdating, up.Status)
	f.clock.Advance(2 * time.Minute)
	e := f.env("hello-v1")
	assert.Equal(t, "v2", aws.ToString(e.VersionLabel))
	assert.Contains(t, f.events("hello-v1"), "INFO Environment update completed successfully.")
	cfg, err := f.eb.DescribeConfigurationSettings(f.ctx, &eb.DescribeConfigurationSettingsInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v1")})
	require.NoError(t, err)
	v, _ := optionValue(cfg.ConfigurationSettings[0].OptionSettings, nsASG, "MaxSize")
	assert.Equal(t, "6", v)

	_, err = f.eb.UpdateEnvironment(f.ctx, &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-v1"), VersionLabel: aws.String("v3")})
	require.NoError(t, err)
	f.clock.Advance(2 * time.Minute)
	e = f.env("hello-v1")
	assert.Equal(t, "v2", aws.ToString(e.VersionLabel), "a failed deploy keeps the running version")
	assert.Equal(t, types.EnvironmentHealthRed, e.Health)
	assert.Contains(t, f.events("hello-v1"), "ERROR "+msgUpdateFailed)
}

func TestCreateEnvironmentErrors(t *testing.T) {
	f := newFixture(t, Options{Quotas: Quotas{Environments: 2}})
	f.version("v1", nil)
	f.create("hello-v1", "v1", "hello")
	tests := map[string]struct {
		create func() error
		code   string
		text   string
	}{
		"duplicate name": {func() error { _, err := f.tryCreate("hello-v1", "v1", ""); return err }, CodeInvalidParameterValue, "Environment hello-v1 already exists."},
		"short name":     {func() error { _, err := f.tryCreate("abc", "v1", ""); return err }, CodeInvalidParameterValue, "4 to 40 characters"},
		"long name":      {func() error { _, err := f.tryCreate(strings.Repeat("a", 41), "v1", ""); return err }, CodeInvalidParameterValue, "4 to 40 characters"},
		"hyphen end":     {func() error { _, err := f.tryCreate("hello-", "v1", ""); return err }, CodeInvalidParameterValue, "not start or end with a hyphen"},
		"cname taken":    {func() error { _, err := f.tryCreate("hello-v2", "v1", "hello"); return err }, CodeInvalidParameterValue, "DNS name (hello.us-east-1.elasticbeanstalk.com) is not available."},
		"bad cname":      {func() error { _, err := f.tryCreate("hello-v2", "v1", "ab"); return err }, CodeInvalidParameterValue, "CNAME prefix"},
		"no version":     {func() error { _, err := f.tryCreate("hello-v2", "v9", ""); return err }, CodeInvalidParameterValue, "No Application Version named 'v9' found."},
		"no profile": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker")})
			return err
		}, CodeInvalidParameterValue, "Environment must have instance profile associated with it."},
		"no app": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("nope"), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("x")})
			return err
		}, CodeInvalidParameterValue, "No Application named 'nope' found."},
		"unknown stack": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("64bit Windows")})
			return err
		}, CodeInvalidParameterValue, "No Solution Stack named '64bit Windows' found."},
		"stack and arn": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("x"), PlatformArn: aws.String("y")})
			return err
		}, CodeInvalidParameterCombination, "cannot specify both"},
		"bad env type": {func() error {
			_, err := f.tryCreate("hello-v2", "v1", "", option(nsEnvironment, "EnvironmentType", "Big"))
			return err
		}, CodeInvalidParameterValue, "EnvironmentType"},
		"min over max": {func() error {
			_, err := f.tryCreate("hello-v2", "v1", "", option(nsASG, "MinSize", "5"), option(nsASG, "MaxSize", "2"))
			return err
		}, CodeInvalidParameterValue, "MinSize must be less than or equal to MaxSize"},
		"env too large": {func() error {
			_, err := f.tryCreate("hello-v2", "v1", "", option(nsEnvVars, "BIG", strings.Repeat("x", 5000)))
			return err
		}, CodeInvalidParameterValue, "4096"},
		"secret ref value": {func() error {
			_, err := f.tryCreate("hello-v2", "v1", "", option(nsSecrets, "DB_PASSWORD", "hunter2"))
			return err
		}, CodeInvalidParameterValue, "Value must be the ARN of a Secrets Manager secret or an SSM parameter"},
		"secret ref old platform": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.9.2 running Docker"),
				OptionSettings: []types.ConfigurationOptionSetting{profile, option(nsSecrets, "DB_PASSWORD", "arn:aws:ssm:us-east-1:123456789012:parameter/hello/db")}})
			return err
		}, CodeInvalidParameterValue, "(Namespace: 'aws:elasticbeanstalk:application:environmentsecrets', OptionName: 'DB_PASSWORD'): Unknown configuration setting."},
		"reserved tag": {func() error {
			_, err := f.eb.CreateEnvironment(f.ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(appName), EnvironmentName: aws.String("hello-v2"), SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"), OptionSettings: []types.ConfigurationOptionSetting{profile}, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
			return err
		}, CodeInvalidParameterValue, "reserved"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.create()
			require.Error(t, err)
			assert.Equal(t, tc.code, apiCode(err), "%v", err)
			assert.ErrorContains(t, err, tc.text)
		})
	}
	f.create("hello-v2", "v1", "")
	_, err := f.tryCreate("hello-v3", "v1", "")
	assert.Equal(t, CodeTooManyEnvironments, apiCode(err))
}

func TestTerminateDuringLaunchAndUpdate(t *testing.T) {
	f := newFixture(t, Options{})
	f.version("v1", nil)
	f.version("v2", nil)
	f.create("hello-v1", "v1", "")
	f.clock.Advance(time.Minute)
	_, err := f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v1")})
	assert.ErrorContains(t, err, "Must be Ready", "a launching environment cannot be terminated")
	_, err = f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v1"), ForceTerminate: aws.Bool(true)})
	require.NoError(t, err, "unless forced")
	f.clock.Advance(10 * time.Minute)
	e := f.env("hello-v1")
	assert.Equal(t, types.EnvironmentStatusTerminated, e.Status)
	assert.NotContains(t, f.events("hello-v1"), "INFO Successfully launched environment: hello-v1", "the launch was cancelled")

	f.create("hello-v2", "v1", "")
	f.clock.Advance(6 * time.Minute)
	_, err = f.eb.UpdateEnvironment(f.ctx, &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-v2"), VersionLabel: aws.String("v2")})
	require.NoError(t, err)
	_, err = f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v2")})
	assert.ErrorContains(t, err, "Must be Ready")
	_, err = f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v2"), ForceTerminate: aws.Bool(true)})
	require.NoError(t, err)
}
