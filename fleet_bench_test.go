package beanswap

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

// fleetRun is what the measured round of a fleet did: every service's
// fourth deploy at once (a swap that prunes), on one account whose
// simulator throttles the Describe group as AWS does (2 calls/s, burst 15).
type fleetRun struct {
	services  int
	failed    []error
	throttled int
	describe  int
	calls     map[string]int
	makespan  time.Duration
	latencies []time.Duration
	peakHeap  uint64 // the live heap's peak, less what it held before the round
	slowest   string // the service that finished last
}

// runFleet deploys the named services three times (all at once each
// round), then measures the fourth round. The services are shared out
// between procs processes: each has clients of its own, and so a
// process-wide Monitor of its own, as separate CI runners would.
func runFleet(tb testing.TB, seed int64, names []string, procs int) fleetRun {
	n := len(names)
	a := newBenchAccountWith(tb, seed, beanstalktest.Faults{}, beanstalktest.Quotas{Applications: 2 * n, Environments: 4 * n})
	clients := make([]Clients, procs)
	for p := range clients {
		clients[p] = NewClients(a.sim.Config())
	}
	ends := make([]time.Time, n)
	round := func(tag string, obs func(i int) progress.Observer) []error {
		imgs := make([]string, n)
		for i := range n {
			imgs[i] = a.image(tb, names[i], tag)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			s := a.service(tb, names[i], nil, obs(i))
			s.Clients = clients[i%procs]
			wg.Go(func() {
				_, errs[i] = s.Deploy(context.Background(), imgs[i])
				ends[i] = a.clk.Now()
			})
		}
		wg.Wait()
		return errs
	}
	none := func(int) progress.Observer { return nil }
	for _, tag := range []string{"1.0.0", "1.1.0", "1.2.0"} {
		for i, err := range round(tag, none) {
			if err != nil {
				tb.Fatalf("seed %d, %s of %s: %v", seed, tag, names[i], err)
			}
		}
	}
	recs := make([]*progress.Recorder, n)
	for i := range recs {
		recs[i] = &progress.Recorder{}
	}
	a.sim.ResetCalls()
	throttledBefore := a.sim.Throttled()
	before := len(a.sim.Transitions())
	run := fleetRun{services: n}
	stop := make(chan struct{})
	sampled := make(chan uint64)
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	baseline := sample[0].Value.Uint64() // the simulator's accounts, the setup
	// The live heap's peak (as of each GC), sampled while the round runs.
	go func() {
		var peak uint64
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				sampled <- peak
				return
			case <-t.C:
			}
		}
	}()
	start := a.clk.Now()
	errs := round("1.3.0", func(i int) progress.Observer { return recs[i].Observe })
	// The makespan ends with the last deploy, not when this goroutine
	// reads the clock again: meanwhile the process-wide watcher, idle,
	// sleeps on it, and time may move on to its wake-ups.
	for i := range ends {
		run.makespan = max(run.makespan, ends[i].Sub(start))
	}
	close(stop)
	run.peakHeap = max(<-sampled, baseline) - baseline
	for _, err := range errs {
		if err != nil {
			run.failed = append(run.failed, err)
		}
	}
	run.throttled = a.sim.Throttled() - throttledBefore
	run.describe = sumCalls(a.sim.Calls(), describeCalls)
	run.calls = a.sim.Calls()
	if testing.Verbose() {
		logSteps(tb, start, recs)
	}
	transitions := a.sim.Transitions()[before:]
	for i, r := range recs {
		run.latencies = append(run.latencies, detections(r.Events(), transitions)...)
		if ends[i].Sub(start) == run.makespan {
			run.slowest = names[i]
		}
	}
	return run
}

func fleetNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("svc%02d", i)
	}
	return names
}

// BenchmarkFleet deploys 100 services at once through the process-wide
// Monitor, then the one that finished last alone on a fresh account
// (the simulator's timings depend on the seed and the environment, not
// on what else runs: alone it takes what it took in the fleet, on
// Beanstalk's side), and compares.
func BenchmarkFleet(b *testing.B) {
	for range b.N {
		goroutines := runtime.NumGoroutine()
		var fleet, single fleetRun
		inScope(b, func(tb testing.TB) { fleet = runFleet(tb, 1, fleetNames(100), 1) })
		inScope(b, func(tb testing.TB) { single = runFleet(tb, 1, []string{fleet.slowest}, 1) })
		if len(fleet.failed) > 0 {
			b.Errorf("%d of %d deploys failed; the first: %v", len(fleet.failed), fleet.services, fleet.failed[0])
		}
		b.ReportMetric(float64(fleet.throttled), "fleet-throttled")
		b.ReportMetric(float64(fleet.makespan)/float64(single.makespan), "fleet-ratio")
		b.ReportMetric(float64(fleet.describe)/float64(single.describe), "fleet-calls-ratio")
		// The ratio's two parts, printed apart: the tag reads, which no
		// Beanstalk call batches (per deploy), and the polls, which the
		// watcher batches (fleet ÷ single, as the ratio above).
		fleetTags, singleTags := fleet.calls["ListTagsForResource"], single.calls["ListTagsForResource"]
		b.ReportMetric(float64(fleetTags)/float64(fleet.services), "fleet-tag-reads/deploy")
		b.ReportMetric(float64(fleet.describe-fleetTags)/float64(single.describe-singleTags), "fleet-poll-calls-ratio")
		b.ReportMetric(float64(fleet.peakHeap)/(1<<20), "fleet-peak-MB")
		b.ReportMetric(float64(percentile(fleet.latencies, 0.5).Milliseconds()), "fleet-detect-p50-ms")
		// Not a target of its own: it shows a wait of the process left
		// blind behind a queue of individual calls.
		b.ReportMetric(float64(percentile(fleet.latencies, 1).Milliseconds()), "fleet-detect-max-ms")
		b.Logf("fleet of %d: %d describe calls in %s, %d throttled, detection p50 %s max %s; %s alone: %d describe calls in %s",
			fleet.services, fleet.describe, fleet.makespan.Round(time.Second), fleet.throttled,
			percentile(fleet.latencies, 0.5), percentile(fleet.latencies, 1), fleet.slowest, single.describe, single.makespan.Round(time.Second))
		b.Logf("fleet calls: %v", fleet.calls)

		// Four processes of 25 each, on the same account: each process's
		// budget (1 call/s) fits AWS's (2/s) alone, not together, so
		// Beanstalk throttles them until their budgets adapt.
		var four fleetRun
		inScope(b, func(tb testing.TB) { four = runFleet(tb, 2, fleetNames(100), 4) })
		b.ReportMetric(float64(len(four.failed)), "procs-failed")
		b.ReportMetric(float64(four.throttled), "procs-throttled")
		b.Logf("4 processes × 25: %d failed, %d throttled calls absorbed, %d describe calls in %s", len(four.failed), four.throttled, four.describe, four.makespan.Round(time.Second))
		if len(four.failed) > 0 {
			b.Errorf("4 processes × 25: %d deploys failed; the first: %v", len(four.failed), four.failed[0])
		}
		if after := settledGoroutines(goroutines); after > goroutines {
			b.Errorf("%d goroutines after the fleet, %d before", after, goroutines)
		}
	}
}

// settledGoroutines waits a little for goroutines to wind down to want,
// and returns how many are left.
func settledGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 100 && n > want; i++ {
		time.Sleep(20 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// logSteps logs when, on average and at worst, the deploys of a round
// started each step: where a fleet's time goes.
func logSteps(tb testing.TB, start time.Time, recs []*progress.Recorder) {
	type agg struct {
		sum, worst time.Duration
		n          int
	}
	steps := map[string]*agg{}
	var order []string
	for _, r := range recs {
		for _, e := range r.Events() {
			s, ok := e.(progress.StepFinished)
			if !ok {
				continue
			}
			a := steps[s.Step]
			if a == nil {
				a = &agg{}
				steps[s.Step] = a
				order = append(order, s.Step)
			}
			d := s.At.Sub(start)
			a.sum += d
			a.worst = max(a.worst, d)
			a.n++
		}
	}
	for _, name := range order {
		a := steps[name]
		tb.Logf("step %-12s finished at %6.1fs on average, %6.1fs at worst", name, (a.sum / time.Duration(a.n)).Seconds(), a.worst.Seconds())
	}
}

// scope is a testing.TB whose cleanups run when inScope returns, not at
// the end of the benchmark: what a run started is gone before the next.
type scope struct {
	testing.TB
	cleanups []func()
}

func (s *scope) Cleanup(f func()) { s.cleanups = append(s.cleanups, f) }

func inScope(tb testing.TB, f func(testing.TB)) {
	s := &scope{TB: tb}
	defer func() {
		for i := len(s.cleanups) - 1; i >= 0; i-- {
			s.cleanups[i]()
		}
	}()
	f(s)
}
