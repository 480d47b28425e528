package beanswap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

// Step names, as progress events carry them.
const (
	StepAuth       = "registry-auth"
	StepBundle     = "bundle"
	StepDeploy     = beanstalk.StepDeploy
	StepAcceptance = "acceptance"
	StepSwap       = swap.Step
)

// Pipeline is one blue/green deploy of Image for the service Config
// describes: registry auth, bundle, new environment, acceptance, swap.
// Set Config, Image and Clients; the rest has defaults.
type Pipeline struct {
	Config  *config.Config
	Image   string
	Clients Clients

	// Docker is the user's Docker configuration; nil loads it as the
	// docker CLI would (dockercfg.Load).
	Docker *dockercfg.Store
	// Acceptance tests the new environment and, after the swap, the live
	// URL; nil builds them from Config (AcceptanceFromConfig).
	Acceptance acceptance.Checker
	// HTTPClient reaches the environments for the acceptance checks.
	HTTPClient *http.Client
	// CommandEnv adds entries to the acceptance command's environment.
	CommandEnv []string
	// ExpectedBucketOwner is the account that must own docker_bucket for
	// the registry auth upload; default docker_bucket_owner, else the
	// deploying account as STS tells it.
	ExpectedBucketOwner string
	// Clock times every wait; nil is the wall clock.
	Clock clock.Clock
	// Monitor polls Beanstalk; share one between concurrent pipelines so
	// that they share the account's call budget. Nil makes one.
	Monitor *beanstalk.Monitor
	// Soak is how long the new live environment is watched after the swap
	// before it is verified again; default the configuration's swap_soak.
	Soak     time.Duration
	Logger   *slog.Logger
	Observer progress.Observer
	// Notify receives the outcome, besides the SNS topic of
	// notify_sns_topic_arn.
	Notify []notify.Notifier
	// LockOwner names this deploy in the lease; default user@hostname.
	LockOwner string
}

// Report says what a run did, for people and for callers.
type Report struct {
	Service string
	Image   string
	Version string
	// Auth is the registry auth file written (or why none was needed).
	Auth dockercfg.Published
	// Deployment is the new environment; nil if the deploy step failed.
	Deployment *beanstalk.Deployment
	// Swap says where live traffic went; nil when there was no swap.
	Swap *swap.Result
	// Live is the environment holding the live CNAME at the end.
	Live string
	// LiveCNAME is its CNAME.
	LiveCNAME string
	// Prune is what pruning did after the deploy, when it ran.
	Prune *beanstalk.PruneResult
	Took  time.Duration
}

// step is one named stage of the pipeline.
type step struct {
	name string
	run  func(st *runState, ctx context.Context) (skipped string, err error)
}

// runState is what the steps share during one run.
type runState struct {
	p         *Pipeline
	report    *Report
	auth      *dockercfg.Authentication
	bundle    []byte
	checker   acceptance.Checker
	deployer  *beanstalk.Deployer
	monitor   *beanstalk.Monitor
	candidate acceptance.Target
	locked    bool
	// resumed: the version is live, but no run finished making it so (an
	// interrupted run swapped it in): it must pass the checks again.
	resumed bool
}

func (p *Pipeline) steps() []step {
	return []step{
		{StepAuth, (*runState).publishAuth},
		{StepBundle, (*runState).buildBundle},
		{StepDeploy, (*runState).deploy},
		{StepAcceptance, (*runState).accept},
		{StepSwap, (*runState).swap},
		{beanstalk.StepPrune, (*runState).prune},
	}
}

// Run deploys. It returns the report even on failure, with what was done
// and what was left; the error says which step failed and why. With
// lock set (the default) it holds the service's deploy lease throughout.
func (p *Pipeline) Run(ctx context.Context) (report *Report, err error) {
	if p.Config == nil || p.Image == "" || p.Clients.Beanstalk == nil || p.Clients.S3 == nil {
		return nil, errors.New("beanswap: a Pipeline needs Config, Image and Clients (Beanstalk and S3)")
	}
	clk := clock.Or(p.Clock)
	start := clk.Now()
	st := &runState{p: p, report: &Report{Service: p.Config.Name, Image: p.Image}}
	defer func() {
		st.report.Took = clk.Now().Sub(start)
		publish(ctx, notifier(p.Config, p.Clients, p.Notify), st.outcome(start, err), clk, p.Observer)
	}()
	st.monitor = monitorFor(p.Monitor, p.Clients.Beanstalk, clk)
	st.checker = p.Acceptance
	if st.checker == nil {
		st.checker = AcceptanceFromConfig(p.Config, AcceptanceOptions{HTTPClient: p.HTTPClient, Clock: clk, Observer: p.Observer, CommandEnv: p.CommandEnv})
	}
	lease, release, err := takeLock(ctx, p.Config, p.Clients.S3, clk, p.Observer, p.LockOwner, "deploy "+p.Image)
	if err != nil {
		return st.report, fmt.Errorf("%s: %w", StepLock, err)
	}
	defer release()
	st.locked = lease != nil
	log := p.logger()
	for _, s := range p.steps() {
		if lease != nil {
			if err := lease.Renew(ctx); err != nil {
				return st.report, fmt.Errorf("%s: %w", StepLock, err)
			}
		}
		t0 := clk.Now()
		p.Observer.Emit(progress.StepStarted{At: t0, Step: s.name})
		skipped, err := s.run(st, ctx)
		p.Observer.Emit(progress.StepFinished{At: clk.Now(), Step: s.name, Took: clk.Now().Sub(t0), Err: err, Skipped: skipped})
		if err != nil {
			log.Error("step failed", "step", s.name, "err", err)
			return st.report, fmt.Errorf("%s: %w", s.name, err)
		}
		log.Debug("step done", "step", s.name, "skipped", skipped)
	}
	return st.report, nil
}

// outcome summarises the run for subscribers.
func (st *runState) outcome(start time.Time, err error) notify.Outcome {
	r := st.report
	o := notify.Outcome{
		Operation: notify.OpDeploy, Service: r.Service, Application: st.p.Config.Application,
		Version: r.Version, Image: r.Image, Result: outcomeResult(err), Error: errText(err),
		Live: r.Live, LiveCNAME: r.LiveCNAME, Started: start, Duration: r.Took,
	}
	var se *swap.Error
	switch {
	case errors.As(err, &se) && se.SwappedBack:
		o.Result = notify.SwappedBack
	case err == nil && r.Deployment != nil && r.Deployment.AlreadyLive:
		o.Result = notify.Unchanged
	}
	if r.Deployment != nil {
		o.Environment = r.Deployment.Name()
	}
	if r.Swap != nil {
		o.Previous = r.Swap.Previous
	}
	if r.Prune != nil {
		o.Terminated, o.Deleted = r.Prune.Terminated, r.Prune.Deleted
	}
	return o
}

func (p *Pipeline) logger() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}
