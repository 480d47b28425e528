package beanswap

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/progress"
)

// describeCalls are the calls AWS throttles together.
var describeCalls = []string{"DescribeEnvironments", "DescribeEvents", "ListTagsForResource"}

func sumCalls(calls map[string]int, actions []string) int {
	n := 0
	for _, a := range actions {
		n += calls[a]
	}
	return n
}

// TestAPIEconomy bounds the throttled calls of a blue/green deploy whose
// environment takes 5 minutes to launch: polls back off, and one poll is
// one DescribeEnvironments and one DescribeEvents whatever it waits for.
func TestAPIEconomy(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy("registry.example.com/team/hello:1.0.0")
	require.NoError(t, err)
	h.sim.ResetCalls()
	start := h.clock.Now()
	_, err = h.deploy("registry.example.com/team/hello:1.1.0")
	require.NoError(t, err)
	took := h.clock.Now().Sub(start)
	calls := h.sim.Calls()
	n := sumCalls(calls, describeCalls)
	t.Logf("a deploy of %s (simulated) made %d throttled calls: %v", took.Round(time.Second), n, calls)
	assert.Less(t, n, 64, "throttled calls for one deploy")
	perSecond := float64(n) / took.Seconds()
	assert.Less(t, perSecond, 0.5, "well under AWS's 2 calls/s, so several deploys fit in one account")
	assert.LessOrEqual(t, calls["DescribeEvents"], calls["DescribeEnvironments"], "one events call per poll at most")
}

// BenchmarkBlueGreenDeploy measures a full blue/green deploy on the
// simulator (manual clock: no waiting), and reports the throttled calls a
// deploy makes.
func BenchmarkBlueGreenDeploy(b *testing.B) {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk, Faults: beanstalktest.Faults{DisableThrottling: true}})
	require.NoError(b, err)
	defer sim.Close()
	_, err = s3.NewFromConfig(sim.Config()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hello-docker")})
	require.NoError(b, err)
	cfg, err := config.Parse("pym-config.yaml", []byte(testConfig), config.WithLookupEnv(func(string) (string, bool) { return "", false }))
	require.NoError(b, err)
	store, err := dockercfg.Parse("config.json", []byte(`{"auths":{"registry.example.com":{"auth":"ZGVwbG95OnB3"}}}`), false)
	require.NoError(b, err)
	clients := NewClients(sim.Config())
	deploy := func(i int) {
		p := &Pipeline{Config: cfg, Image: fmt.Sprintf("registry.example.com/team/hello:1.%d.0", i), Clients: clients, Docker: store,
			HTTPClient: sim.HTTPClient(), Clock: clk, Observer: (&progress.Recorder{}).Observe}
		if _, err := p.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	deploy(0)
	sim.ResetCalls()
	b.ResetTimer()
	for i := 1; i <= b.N; i++ {
		deploy(i)
	}
	b.StopTimer()
	calls := sim.Calls()
	b.ReportMetric(float64(sumCalls(calls, describeCalls))/float64(b.N), "throttled-calls/deploy")
	total := 0
	for _, n := range calls {
		total += n
	}
	b.ReportMetric(float64(total)/float64(b.N), "beanstalk-calls/deploy")
}
