package beanswap

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
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

// TestAPIEconomy bounds the throttled calls of a steady-state blue/green
// deploy (the fourth: it also terminates the oldest environment) whose
// environment takes 5 minutes to launch: the polls follow what earlier
// deploys of the process taught, and one poll is one DescribeEnvironments
// and at most one DescribeEvents whatever it waits for.
func TestAPIEconomy(t *testing.T) {
	h := newHarness(t, nil)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		_, err := h.deploy("registry.example.com/team/hello:" + v)
		require.NoError(t, err)
	}
	h.sim.ResetCalls()
	start := h.clock.Now()
	rep, err := h.deploy("registry.example.com/team/hello:1.3.0")
	require.NoError(t, err)
	require.NotEmpty(t, rep.Pruned.Terminated, "the steady-state deploy prunes")
	took := h.clock.Now().Sub(start)
	calls := h.sim.Calls()
	n := sumCalls(calls, describeCalls)
	t.Logf("a deploy of %s (simulated) made %d throttled calls: %v", took.Round(time.Second), n, calls)
	assert.LessOrEqual(t, n, 45, "throttled calls for one deploy")
	perSecond := float64(n) / took.Seconds()
	assert.Less(t, perSecond, 0.5, "well under AWS's 2 calls/s, so several deploys fit in one account")
	assert.LessOrEqual(t, calls["DescribeEvents"], calls["DescribeEnvironments"], "one events call per poll at most")
}

// BenchmarkBlueGreenDeploy measures a full blue/green deploy on the
// simulator (manual clock: no waiting), and reports the throttled calls a
// deploy makes.
func BenchmarkBlueGreenDeploy(b *testing.B) {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim := startSim(b, beanstalktest.Options{Clock: clk, Faults: beanstalktest.Faults{DisableThrottling: true}})
	cfg, store := parseConfig(b, testConfig), testDocker(b)
	clients := NewClients(sim.Config())
	deploy := func(i int) {
		pushImage(b, sim, fmt.Sprintf("registry.example.com/team/hello:1.%d.0", i))
		p := &Service{Config: cfg, Clients: clients, Docker: store,
			HTTPClient: sim.HTTPClient(), Clock: clk, Observer: (&progress.Recorder{}).Observe}
		if _, err := p.Deploy(context.Background(), fmt.Sprintf("registry.example.com/team/hello:1.%d.0", i)); err != nil {
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

// TestConcurrentDeploysShareTheBudget deploys eight services at once, twice
// (first deploys, then blue/green swaps). Through one Monitor, together
// they stay within the account's budget for the Describe calls, so
// Beanstalk never has to throttle them: peers' users complain of "Rate
// exceeded" when several deploys run at once.
func TestConcurrentDeploysShareTheBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 16 deploys")
	}
	const services = 8
	clk := beanstalktest.NewScaledClock(time.Time{}, 200)
	// A bucket stricter than AWS's (1.5 calls/s, burst 8): the shared
	// Monitor (1 call/s, burst 5) fits it; eight Monitors of their own
	// overflow it (checked: 8 to 19 refused calls).
	sim := startSim(t, beanstalktest.Options{Clock: clk, Faults: beanstalktest.Faults{ThrottleRate: 1.5, ThrottleBurst: 8}})
	store := testDocker(t)
	clients := NewClients(sim.Config())
	monitor := beanstalk.NewMonitor(clients.Beanstalk, beanstalk.MonitorOptions{Clock: clk})

	start := clk.Now()
	for _, version := range []string{"1.0.0", "1.1.0"} {
		var wg sync.WaitGroup
		errs := make([]error, services)
		for i := range services {
			name := fmt.Sprintf("svc%d", i)
			body := strings.NewReplacer("name: hello", "name: "+name, "api.hello.example.com", "api."+name+".example.com").Replace(testConfig)
			p := &Service{Config: parseConfig(t, body), Clients: clients, Docker: store,
				HTTPClient: sim.HTTPClient(), Clock: clk, Monitor: monitor, Observer: (&progress.Recorder{}).Observe}
			image := "registry.example.com/team/" + name + ":" + version
			pushImage(t, sim, image)
			wg.Go(func() { _, errs[i] = p.Deploy(context.Background(), image) })
		}
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "%s of svc%d", version, i)
		}
	}
	took := clk.Now().Sub(start)
	n := sumCalls(sim.Calls(), describeCalls)
	t.Logf("%d services deployed twice at once in %s (simulated): %d calls in the throttled bucket (%.2f/s), %d refused",
		services, took.Round(time.Second), n, float64(n)/took.Seconds(), sim.Throttled())
	assert.Zero(t, sim.Throttled(), "no call was throttled")
}

// countingAPI records when each call of the Describe group was made.
type countingAPI struct {
	BeanstalkAPI
	clk interface{ Now() time.Time }
	mu  sync.Mutex
	at  []time.Time
}

func (c *countingAPI) note() {
	c.mu.Lock()
	c.at = append(c.at, c.clk.Now())
	c.mu.Unlock()
}

func (c *countingAPI) DescribeEnvironments(ctx context.Context, in *eb.DescribeEnvironmentsInput, o ...func(*eb.Options)) (*eb.DescribeEnvironmentsOutput, error) {
	c.note()
	return c.BeanstalkAPI.DescribeEnvironments(ctx, in, o...)
}

func (c *countingAPI) DescribeEvents(ctx context.Context, in *eb.DescribeEventsInput, o ...func(*eb.Options)) (*eb.DescribeEventsOutput, error) {
	c.note()
	return c.BeanstalkAPI.DescribeEvents(ctx, in, o...)
}

func (c *countingAPI) ListTagsForResource(ctx context.Context, in *eb.ListTagsForResourceInput, o ...func(*eb.Options)) (*eb.ListTagsForResourceOutput, error) {
	c.note()
	return c.BeanstalkAPI.ListTagsForResource(ctx, in, o...)
}

// TestWatcherNeverExceedsItsBudget: six services deploy at once through
// one Monitor allowed 0.5 calls/s with a burst of 3; over any span of
// time, its Describe-group calls stay within burst + rate × span.
func TestWatcherNeverExceedsItsBudget(t *testing.T) {
	a := newBenchAccount(t, 7, beanstalktest.Faults{DisableThrottling: true})
	spy := &countingAPI{BeanstalkAPI: a.clients.Beanstalk, clk: a.clk}
	a.clients.Beanstalk = spy
	const rate, burst = 0.5, 3
	m := beanstalk.NewMonitor(spy, beanstalk.MonitorOptions{Clock: a.clk, Rate: rate, Burst: burst})
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		var wg sync.WaitGroup
		for i := range 6 {
			s := a.service(t, fmt.Sprintf("svc%d", i), m, nil)
			img := a.image(t, fmt.Sprintf("svc%d", i), tag)
			wg.Go(func() {
				_, err := s.Deploy(context.Background(), img)
				assert.NoError(t, err)
			})
		}
		wg.Wait()
	}
	require.Greater(t, len(spy.at), 50)
	for i := range spy.at {
		for j := i; j < len(spy.at); j++ {
			span := spy.at[j].Sub(spy.at[i]).Seconds()
			require.LessOrEqual(t, float64(j-i+1), burst+rate*span+1e-9,
				"%d calls in %.1fs, from call %d", j-i+1, span, i)
		}
	}
}

// TestThrottledDescribeNeverFailsADeploy: Beanstalk throttles far below
// what the Monitor starts at; the deploys slow down, the Monitor's rate
// comes down to what the account allows, and none fails.
func TestThrottledDescribeNeverFailsADeploy(t *testing.T) {
	a := newBenchAccount(t, 3, beanstalktest.Faults{ThrottleRate: 0.25, ThrottleBurst: 2})
	m := beanstalk.NewMonitor(a.clients.Beanstalk, beanstalk.MonitorOptions{Clock: a.clk, Rate: 2, Burst: 5})
	var wg sync.WaitGroup
	for i := range 3 {
		s := a.service(t, fmt.Sprintf("svc%d", i), m, nil)
		img := a.image(t, fmt.Sprintf("svc%d", i), "1.0.0")
		wg.Go(func() {
			_, err := s.Deploy(context.Background(), img)
			assert.NoError(t, err, "svc%d", i)
		})
	}
	wg.Wait()
	assert.Positive(t, a.sim.Throttled(), "the account did throttle")
	assert.Less(t, m.Rate(), 2.0, "the budget came down")
}

// TestNoGoroutineOutlivesItsDeploy: the watcher's goroutine, the reads'
// and the waits', and with push the nudge loop, end with the deploy.
func TestNoGoroutineOutlivesItsDeploy(t *testing.T) {
	for _, pushed := range []bool{false, true} {
		t.Run(fmt.Sprintf("push=%v", pushed), func(t *testing.T) {
			var q *memQueue
			if pushed {
				q = newMemQueue(0)
			}
			a := newBenchAccountPushing(t, 5, beanstalktest.Faults{}, beanstalktest.Quotas{}, q)
			m := beanstalk.NewMonitor(a.clients.Beanstalk, beanstalk.MonitorOptions{Clock: a.clk})
			img1, img2 := a.image(t, "hello", "1.0.0"), a.image(t, "hello", "1.1.0")
			before := runtime.NumGoroutine()
			if q != nil {
				detach, attached := m.AttachPush(q)
				require.True(t, attached)
				defer detach()
			}
			for _, img := range []string{img1, img2} {
				_, err := a.service(t, "hello", m, nil).Deploy(context.Background(), img)
				require.NoError(t, err)
			}
			assert.LessOrEqual(t, settledGoroutines(before), before)
		})
	}
}
