package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/progress"
)

// fault is one way things go wrong during a deploy of version 1.2.0,
// after two clean deploys (so there is a live and a rollback environment).
type fault struct {
	name string
	// seeds caps the seeds of a slow fault (0: all of them).
	seeds int
	// scaled runs on a real-time-scaled clock (deploys at once).
	scaled bool
	// inject breaks the simulator before the faulted deploy.
	inject func(s *scenario)
	// stopAt cancels the faulted deploy at the first event it matches;
	// crash makes that a crash: no cleanup, the lease left behind.
	stopAt func(progress.Event) bool
	crash  bool
	// concurrent runs that many deploys of the service at once.
	concurrent int
	// expect lists the verdicts the faulted deploy may end with; empty
	// means any, as long as it is truthful.
	expect []beanswap.Verdict
}

func faults() []fault {
	fs := []fault{
		{name: "throttling bursts", inject: func(s *scenario) { s.sim.SetFaults(beanstalktest.Faults{ThrottleRate: 0.5, ThrottleBurst: 3}) }},
		{name: "5xx on every action", inject: func(s *scenario) { s.sim.SetFaults(beanstalktest.Faults{ErrorRate: 0.15}) }},
		{name: "slow answers", inject: func(s *scenario) {
			s.sim.SetFaults(beanstalktest.Faults{SlowRate: 0.2, SlowDelay: 20 * time.Millisecond})
		}},
		{name: "dropped connections", inject: func(s *scenario) { s.sim.SetFaults(beanstalktest.Faults{DropRate: 0.1}) }},
		{name: "launch failure", expect: []beanswap.Verdict{beanswap.Failed}, inject: func(s *scenario) {
			s.sim.ScriptDefault(beanstalktest.Outcome{FailLaunch: true, FailureReason: "Failed to pull Docker image: manifest unknown"})
		}},
		{name: "late health", expect: []beanswap.Verdict{beanswap.Done}, inject: func(s *scenario) {
			s.sim.ScriptDefault(beanstalktest.Outcome{HealthyAfter: 12 * time.Minute})
		}},
		{name: "degrades after the swap", expect: []beanswap.Verdict{beanswap.SwappedBack}, inject: func(s *scenario) {
			s.sim.ScriptDefault(beanstalktest.Outcome{DegradeAfterSwap: true})
		}},
		{name: "acceptance failure", expect: []beanswap.Verdict{beanswap.Failed}, inject: func(s *scenario) {
			s.sim.ScriptDefault(beanstalktest.Outcome{Handler: brokenApp})
		}},
		{name: "swap never completes", expect: []beanswap.Verdict{beanswap.LookNow}, inject: func(s *scenario) {
			s.sim.ScriptDefault(beanstalktest.Outcome{SwapDelay: 15 * time.Minute})
		}},
		{name: "route53 change fails", expect: []beanswap.Verdict{beanswap.LookNow}, inject: func(s *scenario) {
			s.r53.clear() // someone removed the record: the swap must write it
			s.r53.setFailing(true)
		}},
		{name: "2 deploys at once", scaled: true, concurrent: 2, seeds: 4},
		{name: "10 deploys at once", scaled: true, concurrent: 10, seeds: 2},
	}
	points := []struct {
		name string
		at   func(progress.Event) bool
	}{
		{"taking the lock", stepStarted(beanswap.StepLock)},
		{"writing registry auth", stepStarted(beanswap.StepAuth)},
		{"building the bundle", stepStarted(beanswap.StepBundle)},
		{"while launching", beanstalkEvent("createEnvironment is starting.")},
		{"starting acceptance", stepStarted(beanswap.StepAcceptance)},
		{"calling the swap", info("swapping CNAMEs:")},
		{"verifying the live URL", info("now holds")},
		{"while pruning", info("terminating hello-1-0-0")},
	}
	for _, p := range points {
		fs = append(fs, fault{name: "cancel " + p.name, stopAt: p.at},
			fault{name: "crash " + p.name, stopAt: p.at, crash: true})
	}
	return fs
}

func stepStarted(step string) func(progress.Event) bool {
	return func(e progress.Event) bool { s, ok := e.(progress.StepStarted); return ok && s.Step == step }
}

func info(text string) func(progress.Event) bool {
	return func(e progress.Event) bool {
		i, ok := e.(progress.Info)
		return ok && strings.Contains(i.Message, text)
	}
}

func beanstalkEvent(text string) func(progress.Event) bool {
	return func(e progress.Event) bool {
		b, ok := e.(progress.BeanstalkEvent)
		return ok && strings.Contains(b.Message, text) && strings.HasPrefix(b.Environment, "hello-1-2-0")
	}
}

// result is what one scenario found.
type result struct {
	verdict                    string
	violations, orphans, leaks []string
}

// runScenario deploys 1.0.0 and 1.1.0 cleanly, 1.2.0 under the fault,
// then 1.2.0 again with the fault gone (the re-run), and checks it all.
func runScenario(ctx context.Context, f fault, seed int64) (res result) {
	s, err := newScenario(seed, f.scaled)
	if err != nil {
		return result{verdict: "setup failed", violations: []string{err.Error()}}
	}
	defer s.close()
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		if o := s.deploy(ctx, image(tag), nil); o.err != nil {
			return result{verdict: "baseline failed", violations: []string{fmt.Sprintf("clean deploy of %s failed: %v", tag, o.err)}}
		}
	}

	var faulted []outcome
	switch {
	case f.concurrent > 0:
		faulted = s.concurrently(ctx, f.concurrent)
	case f.stopAt != nil:
		faulted = []outcome{s.interrupted(ctx, f)}
	default:
		f.inject(s)
		faulted = []outcome{s.deploy(ctx, image("1.2.0"), nil)}
	}
	res.verdict = summarise(faulted)
	res.violations = append(res.violations, s.judge(f, faulted)...)

	s.afterFaults()
	rerun := s.deploy(ctx, image("1.2.0"), nil)
	if rerun.verdict != beanswap.Done {
		res.violations = append(res.violations, fmt.Sprintf("the re-run with the fault gone did not converge: %s: %v", rerun.verdict, rerun.err))
	}
	res.violations = append(res.violations, s.judge(fault{}, []outcome{rerun})...)
	res.violations = append(res.violations, s.checkJournal()...)
	res.orphans = s.orphans(rerun)
	res.leaks = s.leaks()
	return res
}

// interrupted runs the faulted deploy and cancels it at f's point; a
// crash also stops the S3 client from deleting anything (the lease stays).
func (s *scenario) interrupted(ctx context.Context, f fault) outcome {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	dying := &crashingS3{}
	var once sync.Once
	return s.deploy(ctx, image("1.2.0"), func(svc *beanswap.Service) {
		dying.S3API = svc.Clients.S3
		if f.crash {
			svc.Clients.S3 = dying
			svc.LockOwner = "crashed@matrix"
		}
		observe := svc.Observer
		svc.Observer = func(e progress.Event) {
			observe(e)
			if f.stopAt(e) {
				once.Do(func() {
					dying.die()
					cancel()
				})
			}
		}
	})
}

// concurrently runs n deploys of the service at once, each of its own
// version, queueing on the deploy lease.
func (s *scenario) concurrently(ctx context.Context, n int) []outcome {
	out := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out[i] = s.deploy(ctx, image(fmt.Sprintf("1.2.%d", i)), func(svc *beanswap.Service) {
				svc.Config.LockWait = 2 * time.Hour
			})
			out[i].concurrent = true
		})
	}
	wg.Wait()
	return out
}

func summarise(os []outcome) string {
	counts := map[string]int{}
	for _, o := range os {
		counts[o.verdict.String()]++
	}
	if len(os) == 1 {
		return os[0].verdict.String()
	}
	parts := []string{}
	for _, v := range []beanswap.Verdict{beanswap.Done, beanswap.Failed, beanswap.SwappedBack, beanswap.LookNow, beanswap.Interrupted, beanswap.Invalid} {
		if n := counts[v.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, v))
		}
	}
	return strings.Join(parts, ", ")
}
