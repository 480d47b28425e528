package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/lock"
)

// deploy runs "beanswap deploy" with the test files and returns the exit
// code and what it printed.
func (e *testEnv) deploy(t *testing.T, extra ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	args := append([]string{"deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg}, extra...)
	code := run(context.Background(), args, e.on(&out, &errOut))
	return code, out.String() + errOut.String()
}

func (e *testEnv) environments(t *testing.T) int {
	t.Helper()
	var out bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"status", "--config", e.cfgPath}, e.on(&out, &out)), out.String())
	return len(regexp.MustCompile(`(?m)^(LIVE|previous|candidate|unmanaged) `).FindAllString(out.String(), -1))
}

// TestStrayWordsChangeNothing: a word that is neither a command nor a
// flag used to end flag parsing, so that "-dry-run" after it was ignored
// and a real deploy (or prune) ran. Every command refuses it first.
func TestStrayWordsChangeNothing(t *testing.T) {
	e := newTestEnv(t)
	code, out := e.deploy(t, "--tag", "1.0.0")
	require.Equal(t, exitOK, code, out)
	code, out = e.deploy(t, "--tag", "1.1.0")
	require.Equal(t, exitOK, code, out)
	require.Equal(t, 2, e.environments(t))
	before := e.sim.Calls()

	ctx := context.Background()
	for _, args := range [][]string{
		{"deploy", "-config", e.cfgPath, "-image", "nginx", "extra", "-dry-run"},
		{"deploy", "extra", "--config", e.cfgPath, "--tag", "2.0.0"},
		{"prune", "-config", e.cfgPath, "oops", "-dry-run"},
		{"rollback", "--config", e.cfgPath, "now"},
		{"swap", "--config", e.cfgPath, "--to", "x", "y"},
		{"status", "--config", e.cfgPath, "please"},
		{"deploy", "--config", e.cfgPath, "--tag", "2.0.0", "--dry-rub"},
		{"depoly", "--config", e.cfgPath},
	} {
		var out bytes.Buffer
		code := run(ctx, args, e.on(&out, &out))
		assert.Equal(t, exitUsage, code, "%v: %s", args, out.String())
	}
	assert.Equal(t, before, e.sim.Calls(), "not one Beanstalk call")
	assert.Equal(t, 2, e.environments(t), "nothing deployed, nothing pruned")

	// Flags go anywhere after the command, in either spelling.
	for _, args := range [][]string{
		{"deploy", "--dry-run", "-c", e.cfgPath, "--tag", "2.0.0", "--docker-config", e.dockerCfg},
		{"deploy", "--tag=2.0.0", "-config=" + e.cfgPath, "-dry-run", "--docker-config=" + e.dockerCfg},
	} {
		var out bytes.Buffer
		require.Equal(t, exitOK, run(ctx, args, e.on(&out, &out)), "%v: %s", args, out.String())
		assert.Contains(t, out.String(), "nothing was changed (dry run)")
	}
}

func TestHelpShowsNoNonsenseDefaults(t *testing.T) {
	var out bytes.Buffer
	require.Equal(t, exitOK, run(context.Background(), []string{"deploy", "--help"}, cli{stdout: &out, stderr: &out}))
	assert.Contains(t, out.String(), "--lock-wait duration")
	assert.NotContains(t, out.String(), "-1ns")
	assert.Contains(t, out.String(), "--dry-run")
}

// cancelOn is a writer that cancels when what it was written holds text.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	text   string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.text) {
		c.cancel()
	}
	return len(p), nil
}

// TestInterruptedAfterTheSwapCall: a Ctrl-C right after the swap call
// must not claim live traffic stayed put: it may be on either
// environment, and the exit code says look now.
func TestInterruptedAfterTheSwapCall(t *testing.T) {
	e := newTestEnv(t)
	code, out := e.deploy(t, "--tag", "1.0.0")
	require.Equal(t, exitOK, code, out)

	ctx, cancel := context.WithCancel(context.Background())
	w := &cancelOn{text: "swapping CNAMEs:", cancel: cancel}
	args := []string{"deploy", "--config", e.cfgPath, "--docker-config", e.dockerCfg, "--tag", "1.1.0"}
	code = run(ctx, args, e.on(w, w))
	assert.Equal(t, exitAttention, code, w.buf.String())
	assert.Contains(t, w.buf.String(), "live traffic may be on either environment")
	assert.Contains(t, w.buf.String(), "run status")
	assert.NotContains(t, w.buf.String(), "live traffic untouched")
}

// TestECRImageNeedsNoDockerConfig: instances pull from ECR with their
// instance profile; a machine without any Docker configuration deploys.
func TestECRImageNeedsNoDockerConfig(t *testing.T) {
	e := newTestEnv(t)
	empty := t.TempDir()
	t.Setenv("HOME", empty)
	t.Setenv("DOCKER_CONFIG", filepath.Join(empty, "none"))
	var out bytes.Buffer
	code := run(context.Background(), []string{"deploy", "--config", e.cfgPath, "--image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:1.0.0"}, e.on(&out, &out))
	require.Equal(t, exitOK, code, out.String())
	assert.Contains(t, out.String(), "registry-auth skipped")
	assert.Contains(t, out.String(), "ECR")
}

// TestBadInputIsRefusedBeforeAnything: a bad image, or a configuration
// path that is a device or a FIFO, is exit 2 at once: no lock taken, no
// call made, no hang.
func TestBadInputIsRefusedBeforeAnything(t *testing.T) {
	e := newTestEnv(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for name, args := range map[string][]string{
		"bad image":  {"deploy", "--config", e.cfgPath, "--image", "Not A/Valid::Ref"},
		"bad tag":    {"deploy", "--config", e.cfgPath, "--tag", "bad tag!"},
		"dev zero":   {"deploy", "--config", "/dev/zero", "--tag", "1"},
		"named pipe": {"deploy", "--config", fifo, "--tag", "1"},
	} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			done := make(chan int, 1)
			go func() { done <- run(context.Background(), args, e.on(&out, &out)) }()
			select {
			case code := <-done:
				assert.Equal(t, exitUsage, code, out.String())
			case <-time.After(10 * time.Second):
				t.Fatal("hangs")
			}
		})
	}
	assert.Zero(t, e.sim.CallCount("DescribeApplications"), "no Beanstalk call")
	_, err := s3.NewFromConfig(e.sim.Config()).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("hello-demo-docker"), Key: aws.String(lock.Key("hello"))})
	assert.Error(t, err, "no lock was taken")
}

// TestUnlockAfterAKilledDeploy: a deploy killed with kill -9 leaves its
// lease; the next deploy says its holder is dead and how to free it;
// unlock shows the holder and breaks only the lease named.
func TestUnlockAfterAKilledDeploy(t *testing.T) {
	e := newTestEnv(t)
	dead := exec.Command("sh", "-c", "exit 0")
	require.NoError(t, dead.Run())
	host, _ := os.Hostname()
	now := e.clock.Now()
	body, _ := json.Marshal(lock.Holder{Owner: "ci@" + host, Host: host, PID: dead.Process.Pid, RunID: "run-9", Purpose: "deploy hello:0.9", Started: now, Expires: now.Add(time.Hour)})
	_, err := s3.NewFromConfig(e.sim.Config()).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("hello-demo-docker"), Key: aws.String(lock.Key("hello")), Body: bytes.NewReader(body)})
	require.NoError(t, err)

	code, out := e.deploy(t, "--tag", "1.0.0")
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, out, fmt.Sprintf("its process (pid %d) is no longer running on this host", dead.Process.Pid))
	assert.Contains(t, out, "beanswap unlock --run-id run-9")

	ctx := context.Background()
	var buf bytes.Buffer
	assert.Equal(t, exitUsage, run(ctx, []string{"unlock", "--config", e.cfgPath}, e.on(&buf, &buf)))
	assert.Contains(t, buf.String(), "held by ci@"+host)
	assert.Contains(t, buf.String(), "nothing was done")
	buf.Reset()
	assert.Equal(t, exitFailed, run(ctx, []string{"unlock", "--config", e.cfgPath, "--run-id", "run-1"}, e.on(&buf, &buf)))
	assert.Contains(t, buf.String(), "nothing broken")
	buf.Reset()
	require.Equal(t, exitOK, run(ctx, []string{"unlock", "--config", e.cfgPath, "--run-id", "run-9"}, e.on(&buf, &buf)), buf.String())
	assert.Contains(t, buf.String(), "broke the deploy lock of ci@"+host)

	code, out = e.deploy(t, "--tag", "1.0.0")
	assert.Equal(t, exitOK, code, out)
}

// TestSwapBackIsReportedWhole: after a swap back the result names the
// live CNAME, what became of the failed candidate (on_failure applies),
// and the error reads once, not "swap: swap: …".
func TestSwapBackIsReportedWhole(t *testing.T) {
	e := newTestEnv(t)
	code, out := e.deploy(t, "--tag", "1.0.0")
	require.Equal(t, exitOK, code, out)
	e.sim.ScriptDefault(beanstalktest.Outcome{DegradeAfterSwap: true})
	t.Setenv("BEANSWAP_SWAP_SOAK", "2m")
	code, out = e.deploy(t, "--tag", "2.0.0", "--json")
	require.Equal(t, exitSwappedBack, code, out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var result map[string]any
	for _, l := range lines {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["type"] == "result" {
			result = m
		}
	}
	require.NotNil(t, result, out)
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", result["live_cname"])
	assert.Regexp(t, `^hello-1-0-0-`, result["live"])
	assert.Contains(t, result["left"], "terminated", "on_failure: terminate applies to a swapped-back candidate")
	assert.NotContains(t, result["error"], "swap: swap:")
	assert.Contains(t, result["error"], "swap: verify failed")
	diag, ok := result["diagnostics"].(map[string]any)
	require.True(t, ok, "the JSON result carries the diagnostics: %v", result)
	assert.Regexp(t, `^hello-2-0-0-`, diag["environment"])
	assert.NotEmpty(t, diag["instances"])
}
