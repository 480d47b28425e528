package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
)

const (
	liveCNAME = "hello.us-east-1.elasticbeanstalk.com"
	zoneID    = "Z0FAULTMATRIX"
	liveHost  = "api.hello.example.com"
)

// serviceConfig is the service every scenario deploys.
const serviceConfig = `name: hello
docker_bucket: hello-docker
live_host: api.hello.example.com
aws_zone_id: Z0FAULTMATRIX
aws_region: us-east-1
aws_instance_profile: aws-elasticbeanstalk-ec2-role
env_secrets: [API_KEY]
acceptance_timeout: 3m
acceptance_checks:
  - path: /ping
  - path: /version
    json_field: version
    equals: "{version}"
`

// scenario is one seeded run: a simulator, the service, and everything
// the tool emitted.
type scenario struct {
	seed     int64
	sim      *beanstalktest.Server
	clock    clock.Clock
	manual   *beanstalktest.ManualClock // nil on a scaled clock
	cfg      *config.Config
	store    *dockercfg.Store
	r53      *fakeRoute53
	secrets  []string
	mu       sync.Mutex
	accepted map[string]time.Time // environment → when it passed its checks
	emitted  bytes.Buffer
}

// outcome is one deploy's result.
type outcome struct {
	image   string
	report  *beanswap.Report
	err     error
	verdict beanswap.Verdict
	// holderBefore and holderAfter hold the live CNAME around the run.
	holderBefore, holderAfter string
	concurrent                bool
}

func newScenario(seed int64, scaled bool) (*scenario, error) {
	rng := rand.New(rand.NewSource(seed))
	jitter := func(d time.Duration) time.Duration { return time.Duration(float64(d) * (0.9 + 0.2*rng.Float64())) }
	s := &scenario{seed: seed, accepted: map[string]time.Time{}, r53: newFakeRoute53()}
	var clk beanstalktest.Clock
	if scaled {
		clk = beanstalktest.NewScaledClock(time.Time{}, 1200)
	} else {
		s.manual = beanstalktest.NewManualClock(time.Time{})
		clk = s.manual
	}
	s.clock = clk
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk, Seed: seed, Timing: beanstalktest.Timing{
		Launch: jitter(5 * time.Minute), Health: jitter(30 * time.Second), Swap: jitter(40 * time.Second), Terminate: jitter(3 * time.Minute),
	}})
	if err != nil {
		return nil, err
	}
	s.sim = sim
	if _, err := s3.NewFromConfig(sim.Config()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hello-docker")}); err != nil {
		return nil, err
	}
	envSecret := fmt.Sprintf("matrix-env-secret-%d", seed)
	registryPassword := fmt.Sprintf("matrix-registry-pw-%d", seed)
	sim.RequireRegistryAuth("registry.example.com", "deploy", registryPassword)
	for _, tag := range []string{"1.0.0", "1.1.0", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5", "1.2.6", "1.2.7", "1.2.8", "1.2.9"} {
		if err := sim.PushImage(context.Background(), image(tag)); err != nil {
			return nil, err
		}
	}
	s.cfg, err = config.Parse("pym-config.yaml", []byte(serviceConfig), config.WithLookupEnv(func(k string) (string, bool) { return envSecret, k == "API_KEY" }))
	if err != nil {
		return nil, err
	}
	auth := base64.StdEncoding.EncodeToString([]byte("deploy:" + registryPassword))
	if s.store, err = dockercfg.Parse("config.json", []byte(`{"auths":{"registry.example.com":{"auth":"`+auth+`"}}}`), false); err != nil {
		return nil, err
	}
	for _, v := range []string{envSecret, registryPassword, "deploy:" + registryPassword} {
		s.secrets = append(s.secrets, v, base64.StdEncoding.EncodeToString([]byte(v)), base64.RawStdEncoding.EncodeToString([]byte(v)))
	}
	return s, nil
}

func (s *scenario) close() { s.sim.Close() }

func (s *scenario) emit(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(&s.emitted, format, args...)
}

// writer is where progress, logs and results go: the scenario's record.
type writer struct{ s *scenario }

func (w writer) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.emitted.Write(p)
}

// service is the Service of one deploy: its acceptance checks note which
// environments passed; everything it emits is recorded.
func (s *scenario) service(obs progress.Observer) *beanswap.Service {
	cfg := *s.cfg
	checks := beanswap.AcceptanceFromConfig(&cfg, beanswap.AcceptanceOptions{HTTPClient: s.sim.HTTPClient(), Clock: s.clock})
	text := &progress.Text{W: writer{s}, Start: s.clock.Now(), Verbose: true}
	lines := progress.NewJSONLines(writer{s})
	return &beanswap.Service{
		Config:     &cfg,
		Clients:    s.clients(),
		Docker:     s.store,
		HTTPClient: s.sim.HTTPClient(),
		Clock:      s.clock,
		Acceptance: acceptance.CheckerFunc(func(ctx context.Context, t acceptance.Target) error {
			err := checks.Check(ctx, t)
			if u, perr := url.Parse(t.URL); err == nil && perr == nil && u.Hostname() != liveCNAME {
				s.mu.Lock()
				if _, ok := s.accepted[t.Environment]; !ok {
					s.accepted[t.Environment] = s.clock.Now()
				}
				s.mu.Unlock()
			}
			return err
		}),
		Logger: slog.New(slog.NewTextHandler(writer{s}, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Observer: func(e progress.Event) {
			text.Observe(e)
			lines.Observe(e)
			if obs != nil {
				obs(e)
			}
		},
		Notify: []notify.Notifier{notify.Func(func(_ context.Context, o notify.Outcome) error {
			b, _ := json.Marshal(o)
			s.emit("%s\n", b)
			return nil
		})},
	}
}

func (s *scenario) clients() beanswap.Clients {
	c := beanswap.NewClients(s.awsConfig())
	c.Route53 = s.r53
	return c
}

// awsConfig reaches the simulator. The SDK's own retries back off in
// real time while the simulator's clock is simulated: here they retry at
// once, and only the Monitor's backoff (on the simulated clock) waits.
func (s *scenario) awsConfig() aws.Config {
	cfg := s.sim.Config()
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	return cfg
}

// deploy runs one deploy of image and records its result.
func (s *scenario) deploy(ctx context.Context, image string, edit func(*beanswap.Service)) outcome {
	o := outcome{image: image, holderBefore: s.holder()}
	svc := s.service(nil)
	if edit != nil {
		edit(svc)
	}
	o.report, o.err = svc.Deploy(ctx, image)
	o.verdict = beanswap.VerdictOf(ctx, o.err)
	o.holderAfter = s.holder()
	s.emit("%v\n%s\n%+v\n", o.err, o.report.Summary(o.err), o.report)
	return o
}

// holder is the environment holding the live CNAME now, or "".
func (s *scenario) holder() string {
	for _, e := range s.active() {
		if aws.ToString(e.CNAME) == liveCNAME {
			return aws.ToString(e.EnvironmentName)
		}
	}
	return ""
}

// active lists the environments not terminated.
func (s *scenario) active() []types.EnvironmentDescription {
	c := eb.NewFromConfig(s.awsConfig(), func(o *eb.Options) { o.RetryMaxAttempts = 10 })
	out, err := c.DescribeEnvironments(context.Background(), &eb.DescribeEnvironmentsInput{ApplicationName: aws.String("hello"), IncludeDeleted: aws.Bool(false)})
	if err != nil {
		return nil
	}
	var active []types.EnvironmentDescription
	for _, e := range out.Environments {
		if e.Status != types.EnvironmentStatusTerminated {
			active = append(active, e)
		}
	}
	return active
}

// afterFaults clears every fault and lets time pass: leases of crashed
// runs expire, slow swaps finish.
func (s *scenario) afterFaults() {
	s.sim.SetFaults(beanstalktest.Faults{})
	s.sim.ScriptDefault(beanstalktest.Outcome{})
	s.r53.setFailing(false)
	if s.manual != nil {
		s.manual.Advance(61 * time.Minute)
	}
}

// brokenApp answers every request with a server error.
var brokenApp = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "database unreachable", http.StatusInternalServerError)
})

func image(tag string) string { return "registry.example.com/team/hello:" + tag }
