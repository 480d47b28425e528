package beanswap

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/progress"
)

// The benchmarks measure what a deploy costs and how late it notices
// each change, on a simulator whose timings are randomised (±10 %) so
// that no poller lines up with them by luck, on a virtual clock served
// in process: the figures are simulated time, independent of the machine.

// benchAccount is one simulated account and region.
type benchAccount struct {
	clk     *beanstalktest.VirtualClock
	sim     *beanstalktest.Server
	clients Clients
	store   *dockercfg.Store
}

func newBenchAccount(tb testing.TB, seed int64, faults beanstalktest.Faults) *benchAccount {
	return newBenchAccountWith(tb, seed, faults, beanstalktest.Quotas{})
}

// newBenchAccountWith is newBenchAccount with raised quotas: a platform
// team with a hundred services has asked AWS for more than the default
// 75 applications and 200 environments.
func newBenchAccountWith(tb testing.TB, seed int64, faults beanstalktest.Faults, quotas beanstalktest.Quotas) *benchAccount {
	return newBenchAccountPushing(tb, seed, faults, quotas, nil)
}

// newBenchAccountPushing is newBenchAccountWith whose Beanstalk publishes
// its changes to q (nil: nowhere).
func newBenchAccountPushing(tb testing.TB, seed int64, faults beanstalktest.Faults, quotas beanstalktest.Quotas, q *memQueue) *benchAccount {
	tb.Helper()
	clk := beanstalktest.NewVirtualClock(time.Time{})
	tb.Cleanup(clk.Close)
	opts := beanstalktest.Options{Clock: clk, InProcess: true, Seed: seed, Faults: faults,
		Timing: beanstalktest.Timing{Jitter: 0.1}, Quotas: quotas}
	if q != nil {
		q.clk = clk
		opts.Publish = q.publish
	}
	sim := beanstalktest.Start(tb, opts)
	_, err := s3.NewFromConfig(sim.Config(), func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("hello-docker")})
	if err != nil {
		tb.Fatal(err)
	}
	sim.RequireRegistryAuth("registry.example.com", "deploy", "pw")
	return &benchAccount{clk: clk, sim: sim, clients: NewClients(sim.Config()), store: testDocker(tb)}
}

// service is a deploy of the named service (hello, or a fleet's svcN).
func (a *benchAccount) service(tb testing.TB, name string, m *beanstalk.Monitor, obs progress.Observer) *Service {
	body := testConfig
	if name != "hello" {
		body = strings.NewReplacer("name: hello", "name: "+name, "api.hello.example.com", "api."+name+".example.com").Replace(testConfig)
	}
	cfg := parseConfig(tb, body)
	cfg.SwapSoak = time.Minute
	return &Service{Config: cfg, Clients: a.clients, Docker: a.store, HTTPClient: a.sim.HTTPClient(), Clock: a.clk, Monitor: m, Observer: obs}
}

func (a *benchAccount) image(tb testing.TB, service, tag string) string {
	img := "registry.example.com/team/" + service + ":" + tag
	if err := a.sim.PushImage(context.Background(), img); err != nil {
		tb.Fatal(err)
	}
	return img
}

// waitSpan is one wait of the deploy, from its progress events.
type waitSpan struct {
	envs       []string
	start, end time.Time
}

// detections pairs the simulator's transitions with when the deploy
// noticed them: for each transition of an environment a wait was
// watching, the first status report showing the new state, else the
// wait's end. Transitions nobody waited for are not counted.
func detections(events []progress.Event, transitions []beanstalktest.Transition) []time.Duration {
	var spans []waitSpan
	open := map[string]int{}
	var seen []progress.EnvironmentStatus
	for _, e := range events {
		switch e := e.(type) {
		case progress.WaitStarted:
			open[strings.Join(e.Environments, ",")+e.For] = len(spans)
			spans = append(spans, waitSpan{envs: e.Environments, start: e.At})
		case progress.WaitFinished:
			if i, ok := open[strings.Join(e.Environments, ",")+e.For]; ok {
				spans[i].end = e.At
			}
		case progress.EnvironmentStatus:
			seen = append(seen, e)
		}
	}
	var out []time.Duration
	for i, tr := range transitions {
		var span *waitSpan
		for j := range spans {
			s := &spans[j]
			if slices.Contains(s.envs, tr.Environment) && !tr.At.Before(s.start) && (s.end.IsZero() || !tr.At.After(s.end)) {
				span = s
				break
			}
		}
		if span == nil {
			continue
		}
		until := span.end // the next transition of the environment, or the wait's end
		for _, next := range transitions[i+1:] {
			if next.Environment == tr.Environment {
				if until.IsZero() || next.At.Before(until) {
					until = next.At
				}
				break
			}
		}
		noticed := time.Time{}
		for _, s := range seen {
			if s.Environment == tr.Environment && s.Status == string(tr.Status) && s.Health == string(tr.Health) && !s.At.Before(tr.At) && (until.IsZero() || !s.At.After(until)) {
				noticed = s.At
				break
			}
		}
		if noticed.IsZero() {
			if span.end.IsZero() || !until.Equal(span.end) {
				continue // superseded before anyone could notice
			}
			noticed = span.end
		}
		out = append(out, noticed.Sub(tr.At))
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// steadyState is what the measured deploy of one seed did.
type steadyState struct {
	calls, describe int
	took            time.Duration
	latencies       []time.Duration
}

// runSteadyState deploys a service four times on a fresh account and
// measures the fourth: a blue/green swap that also prunes (the oldest
// environment goes), as the one before did. opts tune the Monitor (the
// eb-CLI-style policy).
func runSteadyState(tb testing.TB, seed int64, opts beanstalk.MonitorOptions) steadyState {
	return runSteadyStateOf(tb, seed, opts, nil)
}

// runSteadyStateOf is runSteadyState with Beanstalk's changes pushed to
// the Monitor through q, when set.
func runSteadyStateOf(tb testing.TB, seed int64, opts beanstalk.MonitorOptions, q *memQueue) (st steadyState) {
	// Its account (and virtual clock) closed when it is done, not at the
	// end of a benchmark that runs a hundred of them.
	inScope(tb, func(tb testing.TB) { st = steadyStateIn(tb, seed, opts, q) })
	return st
}

func steadyStateIn(tb testing.TB, seed int64, opts beanstalk.MonitorOptions, q *memQueue) steadyState {
	a := newBenchAccountPushing(tb, seed, beanstalktest.Faults{}, beanstalktest.Quotas{}, q)
	opts.Clock = a.clk
	m := beanstalk.NewMonitor(a.clients.Beanstalk, opts)
	if q != nil {
		detach, _ := m.AttachPush(q)
		defer detach()
	}
	for _, tag := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		if _, err := a.service(tb, "hello", m, nil).Deploy(context.Background(), a.image(tb, "hello", tag)); err != nil {
			tb.Fatal(err)
		}
	}
	img := a.image(tb, "hello", "1.3.0")
	rec := &progress.Recorder{}
	a.sim.ResetCalls()
	before := len(a.sim.Transitions())
	start := a.clk.Now()
	r, err := a.service(tb, "hello", m, rec.Observe).Deploy(context.Background(), img)
	// At once: the Monitor's watcher, idle, sleeps on the clock,
	// and time may move on to its wake-ups.
	end := a.clk.Now()
	if err != nil {
		tb.Fatal(err)
	}
	if r.Pruned == nil || len(r.Pruned.Terminated) != 1 {
		tb.Fatalf("seed %d: the deploy should prune the oldest environment: %+v", seed, r.Pruned)
	}
	st := steadyState{took: end.Sub(start)}
	calls := a.sim.Calls()
	st.describe = sumCalls(calls, describeCalls)
	for _, n := range calls {
		st.calls += n
	}
	st.latencies = detections(rec.Events(), a.sim.Transitions()[before:])
	return st
}

type steadySummary struct {
	calls, describe float64
	p50, max        time.Duration
	overhead        float64
}

func summarize(runs []steadyState) steadySummary {
	var s steadySummary
	var all []time.Duration
	var took, late time.Duration
	for _, r := range runs {
		s.calls += float64(r.calls)
		s.describe += float64(r.describe)
		all = append(all, r.latencies...)
		took += r.took
		for _, l := range r.latencies {
			late += l
		}
	}
	n := float64(len(runs))
	s.calls, s.describe = s.calls/n, s.describe/n
	s.p50, s.max = percentile(all, 0.5), percentile(all, 1)
	s.overhead = float64(took) / float64(took-late)
	return s
}

const benchSeeds = 40

// BenchmarkSteadyStateDeploy measures the fourth deploy of a service (a
// swap that also prunes) over benchSeeds randomised timings, with
// beanswap's poller and, side by side, an eb-CLI-style one (events and
// environments every 5 s).
func BenchmarkSteadyStateDeploy(b *testing.B) {
	for range b.N {
		var ours, peer, pushed []steadyState
		for seed := range int64(benchSeeds) {
			ours = append(ours, runSteadyState(b, seed+1, beanstalk.MonitorOptions{}))
			peer = append(peer, runSteadyState(b, seed+1, beanstalk.MonitorOptions{FixedInterval: 5 * time.Second}))
			pushed = append(pushed, runSteadyStateOf(b, seed+1, beanstalk.MonitorOptions{}, newMemQueue(0)))
		}
		o, p, q := summarize(ours), summarize(peer), summarize(pushed)
		b.ReportMetric(float64(q.p50.Milliseconds()), "push-detect-p50-ms")
		b.ReportMetric(q.describe, "push-describe-calls/deploy")
		b.Logf("push: %.1f calls, %.1f describe calls, detection p50 %s max %s, overhead %.3f", q.calls, q.describe, q.p50, q.max, q.overhead)
		b.ReportMetric(o.calls, "calls/deploy")
		b.ReportMetric(o.describe, "describe-calls/deploy")
		b.ReportMetric(float64(o.p50.Milliseconds()), "detect-p50-ms")
		b.ReportMetric(float64(o.max.Milliseconds()), "detect-max-ms")
		b.ReportMetric(o.overhead, "overhead-ratio")
		b.ReportMetric(o.calls/p.calls, "ebcli-calls-ratio")
		b.ReportMetric(float64(o.p50)/float64(p.p50), "ebcli-detect-ratio")
		b.Logf("eb-CLI-style: %.1f calls, %.1f describe calls, detection p50 %s max %s, overhead %.3f", p.calls, p.describe, p.p50, p.max, p.overhead)
	}
}
