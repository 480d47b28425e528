package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/swap"
)

// demoConfig is the sample service's pym-config.yaml, as in examples/demo.
const demoConfig = `name: hello
docker_repo: registry.example.com/demo
deploy_target: aws-beanstalk
docker_bucket: hello-demo-docker
live_host: api.hello.example.com
aws_region: us-east-1
aws_instance_type: t3.small
aws_instance_profile: aws-elasticbeanstalk-ec2-role
aws_service_role: aws-elasticbeanstalk-service-role
env_secrets:
  - HELLO_API_KEY
acceptance_checks:
  - path: /ping
  - name: serves the new version
    path: /version
    json_field: version
    equals: "{version}"
jwt_issuer: api.hello.example.com
`

// demoDockerConfig has inline credentials for the simulated registry.
const demoDockerConfig = `{"auths": {"registry.example.com": {"auth": "ZGVtbzpkZW1vLXBhc3N3b3Jk"}}}`

// testEnv is a fast simulator the CLI's AWS configuration points at, the
// way a user points it at LocalStack, with a service's files.
type testEnv struct {
	sim                *beanstalktest.Server
	clock              *beanstalktest.ScaledClock
	cfgPath, dockerCfg string
}

// on runs the CLI writing to stdout and stderr, on the simulator's clock.
func (e *testEnv) on(stdout, stderr io.Writer) cli {
	return cli{stdout: stdout, stderr: stderr, clock: e.clock}
}

// mustRun runs the CLI with args, requires it to succeed, and returns
// what it printed (out is reset first).
func (e *testEnv) mustRun(t *testing.T, out, errOut *bytes.Buffer, args ...string) string {
	t.Helper()
	out.Reset()
	code := run(context.Background(), args, e.on(out, errOut))
	require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	return out.String()
}

func newTestEnv(t *testing.T) *testEnv {
	return newTestEnvTimed(t, beanstalktest.Timing{})
}

// newTestEnvTimed is newTestEnv with the simulator's timing set.
func newTestEnvTimed(t *testing.T, timing beanstalktest.Timing) *testEnv {
	clk := beanstalktest.NewScaledClock(time.Time{}, 600)
	sim := beanstalktest.Start(t, beanstalktest.Options{Clock: clk, Timing: timing})
	_, err := s3.NewFromConfig(sim.Config()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hello-demo-docker")})
	require.NoError(t, err)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": sim.URL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_PROFILE": "",
		"HELLO_API_KEY": "cli-secret",
	} {
		t.Setenv(k, v)
	}
	proxyTo(t, sim.URL)
	sim.RequireRegistryAuth("registry.example.com", "demo", "demo-password")
	for _, tag := range []string{"1.0.0", "1.1.0", "2.0.0"} {
		require.NoError(t, sim.PushImage(context.Background(), "registry.example.com/demo/hello:"+tag))
	}
	dir := t.TempDir()
	e := &testEnv{sim: sim, clock: clk, cfgPath: filepath.Join(dir, "pym-config.yaml"), dockerCfg: filepath.Join(dir, "config.json")}
	require.NoError(t, os.WriteFile(e.cfgPath, []byte(demoConfig), 0o600))
	require.NoError(t, os.WriteFile(e.dockerCfg, []byte(demoDockerConfig), 0o600))
	return e
}

// cliEnv is newTestEnv, unpacked.
func cliEnv(t *testing.T) (cfgPath, dockerPath string, on func(stdout, stderr io.Writer) cli) {
	e := newTestEnv(t)
	return e.cfgPath, e.dockerCfg, e.on
}

func TestDeployCommand(t *testing.T) {
	cfgPath, dockerPath, on := cliEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer

	code := run(ctx, []string{"deploy", "-config", cfgPath, "-docker-config", dockerPath, "-tag", "1.0.0", "-dry-run"}, on(&out, &errOut))
	require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "plan for hello, image registry.example.com/demo/hello:1.0.0")
	assert.Contains(t, errOut.String(), "jwt_issuer: ignored by beanswap")

	out.Reset()
	code = run(ctx, []string{"deploy", "-config", cfgPath, "-docker-config", dockerPath, "-tag", "1.0.0", "-json"}, on(&out, &errOut))
	require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var last map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, "result", last["type"])
	assert.Equal(t, true, last["ok"])
	assert.Equal(t, true, last["first_deploy"])
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", last["live_cname"])
	for _, l := range lines {
		assert.NotContains(t, l, "cli-secret")
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), l)
		assert.NotEmpty(t, m["type"])
	}

	out.Reset()
	code = run(ctx, []string{"status", "-config", cfgPath}, on(&out, &errOut))
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `LIVE\s+hello-1-0-0-\w+\s+(Ready|Updating)\s+Green`, out.String())

	out.Reset()
	code = run(ctx, []string{"swap", "-config", cfgPath, "-to", "nope"}, on(&out, &errOut))
	assert.Equal(t, exitFailed, code)

	out.Reset()
	code = run(ctx, []string{"prune", "-config", cfgPath, "-dry-run"}, on(&out, &errOut))
	require.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, out.String(), "prune plan for application hello")
	assert.Regexp(t, `hello-1-0-0-\w+: live`, out.String())
	assert.Contains(t, out.String(), "nothing was changed (dry run)")

	out.Reset()
	code = run(ctx, []string{"prune", "-config", cfgPath, "-json"}, on(&out, &errOut))
	require.Equal(t, exitOK, code, errOut.String())
	assert.Contains(t, out.String(), `"ok":true`)

	errOut.Reset()
	code = run(ctx, []string{"rollback", "-config", cfgPath}, on(&out, &errOut))
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut.String(), "no environment to roll back to")
}

// TestRollbackAndSwapCommands moves live traffic back and forth between
// two deployed versions with the CLI, as an operator would.
// TestRollbackAndSwapCommands deploys two versions, shows status and
// rolls back at once, against a Beanstalk that lists new environments
// only a minute after creating them and applies tag writes as
// two-minute environment updates.
func TestRollbackAndSwapCommands(t *testing.T) {
	e := newTestEnvTimed(t, beanstalktest.Timing{Visibility: time.Minute, TagUpdate: 2 * time.Minute})
	cfgPath, dockerPath, on := e.cfgPath, e.dockerCfg, e.on
	t.Setenv("BEANSWAP_SWAP_SOAK", "2m")
	ctx := context.Background()
	var out, errOut bytes.Buffer
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		code := run(ctx, []string{"deploy", "-config", cfgPath, "-docker-config", dockerPath, "-tag", tag}, on(&out, &errOut))
		require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	}
	status := func() string {
		out.Reset()
		require.Equal(t, exitOK, run(ctx, []string{"status", "-config", cfgPath}, on(&out, &errOut)))
		return out.String()
	}
	assert.Regexp(t, `LIVE\s+hello-1-1-0-\w+`, status())
	assert.Regexp(t, `previous\s+hello-1-0-0-\w+`, status())

	out.Reset()
	code := run(ctx, []string{"rollback", "-config", cfgPath}, on(&out, &errOut))
	require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), "watching it for 2m0s", "swap_soak applies")
	assert.Regexp(t, `hello-1-0-0-\w+ is live on hello.us-east-1.elasticbeanstalk.com; hello-1-1-0-\w+ kept`, out.String())
	assert.Regexp(t, `LIVE\s+hello-1-0-0-\w+`, status())

	newer := regexp.MustCompile(`hello-1-1-0-\w+`).FindString(status())
	out.Reset()
	code = run(ctx, []string{"swap", "-config", cfgPath, "-to", newer, "-json"}, on(&out, &errOut))
	require.Equal(t, exitOK, code, "%s%s", out.String(), errOut.String())
	assert.Contains(t, out.String(), `"type":"result"`)
	assert.Contains(t, out.String(), `"live":"`+newer+`"`)
	assert.Regexp(t, `LIVE\s+`+newer, status())
}

// TestStagedDeployAndPromote: deploy --no-swap leaves the new version
// staged beside the live one; promote makes it live later.
func TestStagedDeployAndPromote(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	run1 := func(args ...string) string { return e.mustRun(t, &out, &errOut, args...) }
	run1("deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg, "--tag", "1.0.0")
	staged := run1("deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg, "--tag", "1.1.0", "--no-swap")
	assert.Regexp(t, `staged:\s+hello-1-1-0-\w+ on http://hello-1-1-0-\w+\.us-east-1\.elasticbeanstalk\.com \(accepted; promote it to go live\)`, staged)
	status := run1("status", "--config", e.cfgPath)
	assert.Regexp(t, `LIVE\s+hello-1-0-0-\w+`, status)
	assert.Regexp(t, `staged\s+hello-1-1-0-\w+`, status)

	promoted := run1("promote", "--config", e.cfgPath, "--json")
	assert.Contains(t, promoted, `"promoted":true`)
	assert.Regexp(t, `"live":"hello-1-1-0-\w+"`, promoted)
	assert.Regexp(t, `LIVE\s+hello-1-1-0-\w+`, run1("status", "--config", e.cfgPath))

	out.Reset()
	assert.Equal(t, exitFailed, run(ctx, []string{"promote", "--config", e.cfgPath}, e.on(&out, &errOut)))
	assert.Contains(t, out.String()+errOut.String(), "no staged environment to promote")
}

// TestLogsCommand: the logs of the live, previous and candidate
// environments, and a bundle saved to files.
func TestLogsCommand(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	var out, errOut bytes.Buffer
	run1 := func(args ...string) string { return e.mustRun(t, &out, &errOut, args...) }
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		run1("deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg, "--tag", tag)
	}
	run1("deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg, "--tag", "2.0.0", "--no-swap")

	live := run1("logs", "--config", e.cfgPath)
	assert.Regexp(t, `logs of hello-1-1-0-\w+ \(live\), 1 instance\(s\)`, live)
	assert.Contains(t, live, "--- /var/log/eb-engine.log")
	assert.Contains(t, live, "[INFO] Instance deployment completed successfully.")
	assert.Regexp(t, `hello listening on :80 \(version 1\.1\.0-\w+\)`, live)
	assert.Regexp(t, `logs of hello-1-0-0-\w+ \(previous\)`, run1("logs", "--config", e.cfgPath, "--role", "previous"))
	assert.Regexp(t, `logs of hello-2-0-0-\w+ \(staged\)`, run1("logs", "--config", e.cfgPath, "--role", "candidate"))
	js := run1("logs", "--config", e.cfgPath, "--json")
	assert.Contains(t, js, `"path":"/var/log/eb-engine.log"`)

	dir := t.TempDir()
	saved := run1("logs", "--config", e.cfgPath, "--bundle", "--out", dir)
	files, err := filepath.Glob(filepath.Join(dir, "hello-1-1-0-*-i-0*-logs.zip"))
	require.NoError(t, err)
	require.Len(t, files, 1, saved)
	zr, err := zip.OpenReader(files[0])
	require.NoError(t, err)
	defer zr.Close()
	assert.Equal(t, "var/log/eb-docker/containers/eb-current-app/eb-stdouterr.log", zr.File[0].Name)

	out.Reset()
	assert.Equal(t, exitFailed, run(ctx, []string{"logs", "--config", e.cfgPath, "--env", "hello-nope"}, e.on(&out, &errOut)))
	assert.Equal(t, exitUsage, run(ctx, []string{"logs", "--config", e.cfgPath, "--role", "all"}, e.on(&out, &errOut)))
}

func TestCommandUsageErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	ctx := context.Background()
	assert.Equal(t, exitUsage, run(ctx, []string{"deploy", "-config", "/nonexistent.yaml", "-image", "x"}, cli{stdout: &out, stderr: &errOut, clock: clock.Real{}}))
	assert.Contains(t, errOut.String(), "/nonexistent.yaml")
	cfgPath, _, on := cliEnv(t)
	errOut.Reset()
	assert.Equal(t, exitUsage, run(ctx, []string{"deploy", "-config", cfgPath, "-docker_repo"}, on(&out, &errOut)))
	assert.Equal(t, exitUsage, run(ctx, []string{"swap", "-config", cfgPath}, on(&out, &errOut)))
	assert.Contains(t, errOut.String(), `required flag(s) "to" not set`)
	t.Setenv("HELLO_API_KEY", "")
	errOut.Reset()
	assert.Equal(t, exitUsage, run(ctx, []string{"deploy", "-config", cfgPath, "-tag", "1"}, on(&out, &errOut)))
	assert.Contains(t, errOut.String(), "$HELLO_API_KEY is empty")
}

func TestExitCodes(t *testing.T) {
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := map[string]struct {
		ctx  context.Context
		err  error
		code int
	}{
		"ok":               {ctx, nil, exitOK},
		"launch":           {ctx, runError{fmt.Errorf("deploy: %w", &beanstalk.LaunchError{Environment: "e"})}, exitFailed},
		"acceptance":       {ctx, runError{fmt.Errorf("acceptance: %w", &acceptance.Failure{Check: "c"})}, exitFailed},
		"timeout":          {ctx, runError{&beanstalk.TimeoutError{}}, exitFailed},
		"swapped back":     {ctx, runError{&swap.Error{Stage: "verify", Live: "a", SwappedBack: true, Err: errors.New("x")}}, exitSwappedBack},
		"swap back failed": {ctx, runError{&swap.Error{Stage: "verify", Live: "", Err: errors.New("x"), SwapBackErr: errors.New("y")}}, exitAttention},
		"swap interrupted": {cancelled, runError{&swap.Error{Stage: "swap", Live: "", Swapped: true, Err: context.Canceled}}, exitAttention},
		"record not set":   {ctx, runError{&swap.RecordError{Live: "a", Err: errors.New("x")}}, exitAttention},
		"swap refused":     {ctx, runError{&swap.Error{Stage: "swap", Live: "a", Err: errors.New("x")}}, exitFailed},
		"stray argument":   {ctx, errors.New(`unknown command "extra" for "beanswap deploy"`), exitUsage},
		"usage":            {ctx, usageError{errors.New("x")}, exitUsage},
		"config":           {ctx, runError{&config.ValidationError{}}, exitUsage},
		"cancelled":        {cancelled, runError{errors.New("x")}, exitCanceled},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.code, exitCode(tc.ctx, tc.err))
		})
	}
}
