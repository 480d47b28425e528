package beanswap

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

const testConfig = `name: hello
deploy_target: aws-beanstalk
docker_repo: registry.example.com/team
docker_bucket: hello-docker
live_host: api.hello.example.com
aws_instance_profile: aws-elasticbeanstalk-ec2-role
aws_region: us-east-1
acceptance_checks:
  - path: /ping
  - name: version
    path: /version
    json_field: version
    equals: "{version}"
`

// harness is a simulator with the service's bucket, and what a pipeline
// needs to deploy to it.
type harness struct {
	t     *testing.T
	sim   *beanstalktest.Server
	clock *beanstalktest.ManualClock
	cfg   *config.Config
	store *dockercfg.Store
	rec   *progress.Recorder
	// clients are one process's clients: its deploys share the
	// process-wide Monitor, and what it learned.
	clients Clients
}

func newHarness(t *testing.T, edit func(*config.Config)) *harness {
	t.Helper()
	return newHarnessWith(t, edit, 0)
}

// newHarnessWith also sets the simulator's application version quota.
func newHarnessWith(t *testing.T, edit func(*config.Config), versionQuota int) *harness {
	t.Helper()
	clk := beanstalktest.NewManualClock(time.Time{})
	sim := startSim(t, beanstalktest.Options{Clock: clk, Quotas: beanstalktest.Quotas{ApplicationVersions: versionQuota}})
	cfg := parseConfig(t, testConfig)
	if edit != nil {
		edit(cfg)
	}
	return &harness{t: t, sim: sim, clock: clk, cfg: cfg, store: testDocker(t), rec: &progress.Recorder{}, clients: NewClients(sim.Config())}
}

// startSim starts a simulator holding the services' bucket, hello-docker,
// and the private registry registry.example.com (user deploy, password
// pw, as testDocker has them).
func startSim(tb testing.TB, opts beanstalktest.Options) *beanstalktest.Server {
	tb.Helper()
	sim := beanstalktest.Start(tb, opts)
	_, err := s3.NewFromConfig(sim.Config()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hello-docker")})
	require.NoError(tb, err)
	sim.RequireRegistryAuth("registry.example.com", "deploy", "pw")
	sim.Registry("public.example.com")
	return sim
}

// pushImage pushes image to the simulated registry of its host, when the
// simulator serves that host.
func pushImage(tb testing.TB, sim *beanstalktest.Server, image string) {
	tb.Helper()
	if strings.HasPrefix(image, "registry.example.com/") || strings.HasPrefix(image, "public.example.com/") {
		require.NoError(tb, sim.PushImage(context.Background(), image))
	}
}

// parseConfig parses a test pym-config.yaml with an empty environment.
func parseConfig(tb testing.TB, body string) *config.Config {
	tb.Helper()
	cfg, err := config.Parse("pym-config.yaml", []byte(body), config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	require.NoError(tb, err)
	return cfg
}

// testDocker is a Docker config with credentials for registry.example.com.
func testDocker(tb testing.TB) *dockercfg.Store {
	tb.Helper()
	store, err := dockercfg.Parse("config.json", []byte(`{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnB3"}}}`), false)
	require.NoError(tb, err)
	return store
}

func (h *harness) service() *Service {
	return &Service{
		Config:     h.cfg,
		Clients:    h.clients,
		Docker:     h.store,
		HTTPClient: h.sim.HTTPClient(),
		Clock:      h.clock,
		Observer:   h.rec.Observe,
	}
}

// deployRun is one deploy of image, its Service editable before Run.
type deployRun struct {
	*Service
	image string
}

// pipeline is a deploy of image, pushed to the registry first.
func (h *harness) pipeline(image string) deployRun {
	h.t.Helper()
	pushImage(h.t, h.sim, image)
	return deployRun{h.service(), image}
}

func (r deployRun) Run(ctx context.Context) (*Report, error) { return r.Deploy(ctx, r.image) }

func (r deployRun) Plan(ctx context.Context) (*Plan, error) { return r.Service.Plan(ctx, r.image) }

func (h *harness) deploy(image string) (*Report, error) {
	return h.pipeline(image).Run(context.Background())
}

// liveVersion asks the live CNAME which version it serves.
func (h *harness) liveVersion() string {
	h.t.Helper()
	resp, err := h.sim.HTTPClient().Get("http://hello.us-east-1.elasticbeanstalk.com/version")
	require.NoError(h.t, err)
	defer resp.Body.Close()
	var v struct{ Version string }
	b, _ := io.ReadAll(resp.Body)
	require.NoError(h.t, json.Unmarshal(b, &v), "%s", b)
	return v.Version
}

func (h *harness) environments() map[string]types.EnvironmentDescription {
	h.t.Helper()
	m := beanstalk.NewMonitor(NewClients(h.sim.Config()).Beanstalk, beanstalk.MonitorOptions{Clock: h.clock})
	envs, err := m.Environments(context.Background(), "hello")
	require.NoError(h.t, err)
	out := map[string]types.EnvironmentDescription{}
	for _, e := range envs {
		out[aws.ToString(e.EnvironmentName)] = e
	}
	return out
}

func TestFirstThenSecondDeploy(t *testing.T) {
	h := newHarness(t, nil)

	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	assert.True(t, r1.Deployment.FirstDeploy)
	assert.Nil(t, r1.Swap)
	assert.Equal(t, "hello.us-east-1.elasticbeanstalk.com", r1.LiveCNAME)
	assert.Equal(t, r1.Version, h.liveVersion())
	assert.Equal(t, "s3://hello-docker/docker/dockercfg", r1.Auth.Location.String())
	assert.True(t, strings.HasPrefix(r1.Version, "1.0.0-"), r1.Version)

	r2, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.False(t, r2.Deployment.FirstDeploy)
	require.NotNil(t, r2.Swap)
	assert.Equal(t, r1.Live, r2.Swap.Previous)
	assert.Equal(t, r2.Deployment.Name(), r2.Live)
	assert.Equal(t, r2.Version, h.liveVersion(), "live traffic serves the new version")
	envs := h.environments()
	assert.Equal(t, types.EnvironmentStatusReady, envs[r1.Live].Status, "the previous environment is kept for rollback")
	assert.NotEqual(t, "hello.us-east-1.elasticbeanstalk.com", aws.ToString(envs[r1.Live].CNAME))

	// Deploying the live version again changes nothing.
	r3, err := h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	assert.True(t, r3.Deployment.AlreadyLive)
	assert.Equal(t, 2, len(h.environments()))

	// The progress shows every step and Beanstalk's own events.
	var steps []string
	var beanstalkEvents int
	for _, e := range h.rec.Events() {
		switch e := e.(type) {
		case progress.StepFinished:
			require.NoError(t, e.Err)
			steps = append(steps, e.Step)
		case progress.BeanstalkEvent:
			beanstalkEvents++
		}
	}
	assert.Equal(t, []string{StepPreflight, StepLock, StepAuth, StepBundle, StepDeploy, StepAcceptance, StepSwap, StepCapacity, StepPrune}, steps[:9])
	assert.Greater(t, beanstalkEvents, 10)
}

func TestLaunchFailureLeavesLiveUntouched(t *testing.T) {
	h := newHarness(t, nil)
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true, FailureReason: "Failed to pull Docker image registry.example.com/team/hello:2.0.0: manifest unknown"})

	r2, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.Error(t, err)
	var le *beanstalk.LaunchError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, err.Error(), "manifest unknown")
	assert.NotContains(t, err.Error(), "Create environment operation is complete", "fails at the first ERROR event, not at the end")
	assert.Contains(t, err.Error(), "live traffic untouched")
	assert.Contains(t, err.Error(), "terminated)")
	assert.Equal(t, r1.Live, r2.Live)
	assert.Equal(t, r1.Version, h.liveVersion())
	assert.Equal(t, types.EnvironmentStatusTerminated, h.environments()[le.Environment].Status, "on_failure: terminate")
}

func TestAcceptanceFailureStopsBeforeSwap(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = 2 * time.Minute })
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database unreachable", http.StatusInternalServerError)
	})})

	r2, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.Error(t, err)
	assert.ErrorIs(t, err, acceptance.ErrFailed)
	assert.Contains(t, err.Error(), "status 500, want 200")
	assert.Contains(t, err.Error(), "live traffic untouched")
	assert.Equal(t, r1.Live, r2.Live)
	assert.Nil(t, r2.Swap)
	assert.Equal(t, r1.Version, h.liveVersion())
	assert.Equal(t, types.EnvironmentStatusTerminated, h.environments()[r2.Deployment.Name()].Status)
}

func TestAcceptanceFailureKeepsCandidateWhenAsked(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.OnFailure = config.OnFailureKeep; c.Timeouts.Acceptance = time.Minute })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{Handler: http.NotFoundHandler()})
	r2, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "kept for debugging (on_failure: keep)")
	assert.Equal(t, types.EnvironmentStatusReady, h.environments()[r2.Deployment.Name()].Status)
}

func TestVerificationFailureSwapsBack(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Acceptance = 2 * time.Minute })
	r1, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ScriptDefault(beanstalktest.Outcome{DegradeAfterSwap: true})

	r2, err := h.deploy("registry.example.com/team/hello:2.0.0")
	require.Error(t, err)
	var se *swap.Error
	require.ErrorAs(t, err, &se)
	assert.True(t, se.SwappedBack)
	assert.Equal(t, "verify", se.Stage)
	assert.Equal(t, r1.Live, r2.Live)
	assert.Equal(t, r1.Version, h.liveVersion(), "traffic is back on the old version")
	assert.Contains(t, err.Error(), "swapped back")
}

func TestLaunchTimeout(t *testing.T) {
	h := newHarness(t, func(c *config.Config) { c.Timeouts.Launch = 2 * time.Minute })
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.Error(t, err)
	var te *beanstalk.TimeoutError
	require.ErrorAs(t, err, &te)
	assert.ErrorIs(t, err, beanstalk.ErrTimeout)
	assert.Contains(t, err.Error(), "timed out after 2m0s waiting for hello-1-0-0-")
	assert.Contains(t, err.Error(), "status Launching")
}

func TestCancelMidWait(t *testing.T) {
	clk := beanstalktest.NewScaledClock(time.Time{}, 60) // real time matters here
	sim := startSim(t, beanstalktest.Options{Clock: clk})
	h := newHarness(t, nil)
	h.sim, h.clients = sim, NewClients(sim.Config())
	p := h.pipeline("registry.example.com/team/hello:1.0.0")
	p.Clock = clk

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	start := time.Now()
	report, err := p.Run(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 3*time.Second, "cancellation is prompt")
	var de *beanstalk.DeployError
	require.True(t, errors.As(err, &de))
	assert.Contains(t, de.Left, "as it was when the deploy was cancelled")
	assert.Empty(t, report.Live)
}

// ownerRecorder notes the ExpectedBucketOwner of each upload.
type ownerRecorder struct {
	S3API
	owners map[string]string
}

func (o *ownerRecorder) PutObject(ctx context.Context, in *s3.PutObjectInput, f ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	o.owners[aws.ToString(in.Key)] = aws.ToString(in.ExpectedBucketOwner)
	return o.S3API.PutObject(ctx, in, f...)
}

func TestAuthFileGoesOnlyToTheAccountsBucket(t *testing.T) {
	h := newHarness(t, nil)
	rec := &ownerRecorder{S3API: NewClients(h.sim.Config()).S3, owners: map[string]string{}}
	p := h.pipeline("registry.example.com/team/hello:1.0.0")
	p.Clients.S3 = rec
	_, err := p.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "123456789012", rec.owners["docker/dockercfg"], "the deploying account, from STS")

	h.cfg.DockerBucketOwner = "210987654321"
	_, err = p.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "210987654321", rec.owners["docker/dockercfg"])
}
