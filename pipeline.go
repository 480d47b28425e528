package beanswap

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

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
	// ExpectedBucketOwner guards the registry auth upload (an account id).
	ExpectedBucketOwner string
	// Clock times every wait; nil is the wall clock.
	Clock clock.Clock
	// Monitor polls Beanstalk; share one between concurrent pipelines so
	// that they share the account's call budget. Nil makes one.
	Monitor *beanstalk.Monitor
	// Soak is how long the new live environment is watched after the swap
	// before it is verified again; default 1 minute.
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

func (st *runState) info(step, msg string) {
	st.p.Observer.Emit(progress.Info{At: clock.Or(st.p.Clock).Now(), Step: step, Message: msg})
}

func (st *runState) publishAuth(ctx context.Context) (string, error) {
	cfg := st.p.Config
	if cfg.DockerAuthFormat == config.AuthFormatNone {
		return "docker_auth_format: none (public image)", nil
	}
	store := st.p.Docker
	if store == nil {
		var err error
		if store, err = dockercfg.Load(); err != nil {
			return "", err
		}
	}
	pub, err := dockercfg.Publish(ctx, store, st.p.Clients.S3, dockercfg.PublishInput{
		Image:  st.p.Image,
		Bucket: cfg.DockerBucket,
		Format: cfg.DockerAuthFormat,
		Upload: dockercfg.UploadOptions{ExpectedBucketOwner: st.p.ExpectedBucketOwner},
	})
	if err != nil {
		return "", err
	}
	st.report.Auth, st.auth = pub, pub.Authentication
	if pub.Authentication == nil {
		return pub.NoAuthReason, nil
	}
	st.info(StepAuth, fmt.Sprintf("credentials for %s (from %s) written to %s", pub.Reference.Registry, pub.Source, pub.Location))
	return "", nil
}

func (st *runState) buildBundle(context.Context) (string, error) {
	d := dockercfg.NewDockerrun(st.p.Image, st.p.Config.ContainerPort, st.auth)
	d.Logging = "/var/log/"
	b, err := dockercfg.Bundle(d, nil)
	if err != nil {
		return "", err
	}
	st.bundle = b
	st.report.Version = beanstalk.VersionLabel(st.p.Image, b)
	st.info(StepBundle, fmt.Sprintf("Dockerrun.aws.json for %s, version %s (%d bytes zipped)", st.p.Image, st.report.Version, len(b)))
	return "", nil
}

func (st *runState) deploy(ctx context.Context) (string, error) {
	p := st.p
	var records beanstalk.RecordsAPI
	if p.Config.AWSZoneID != "" && p.Clients.Route53 != nil {
		records = p.Clients.Route53
	}
	st.deployer = &beanstalk.Deployer{EB: p.Clients.Beanstalk, S3: p.Clients.S3, Records: records, Monitor: st.monitor, Clock: p.Clock, Logger: p.Logger, Observer: p.Observer}
	rel := beanstalk.Release{Image: p.Image, Bundle: st.bundle, Label: st.report.Version}
	dep, err := st.deployer.Deploy(ctx, p.Config, rel)
	if errors.Is(err, beanstalk.ErrVersionQuota) && p.Config.PruneAfterDeploy {
		st.info(StepDeploy, "the application version quota is reached: pruning old versions, then trying once more")
		if _, perr := st.runPrune(ctx, beanstalk.PruneOptions{VersionsOnly: true, Exclusive: st.locked, MakeRoom: 1}); perr != nil {
			return "", fmt.Errorf("%w; pruning versions to make room failed: %w", err, perr)
		}
		dep, err = st.deployer.Deploy(ctx, p.Config, rel)
	}
	if dep != nil {
		st.report.Deployment = dep
	}
	if err != nil {
		st.noteLive(ctx)
		return "", err
	}
	st.candidate = acceptance.Target{URL: "http://" + dep.CNAME(), Environment: dep.Name(), Version: dep.Label}
	if dep.AlreadyLive {
		st.report.Live, st.report.LiveCNAME = dep.Name(), dep.CNAME()
		tags, err := st.monitor.Tags(ctx, p.Clients.Beanstalk, aws.ToString(dep.Environment.EnvironmentArn))
		if err != nil {
			return "", err
		}
		if tags[beanstalk.TagWentLive] == "" {
			st.resumed = true
			st.info(StepDeploy, dep.Name()+" runs this version on the live CNAME, but no run finished making it live: checking it again")
			return "", nil
		}
		return "version already live", nil
	}
	return "", nil
}

func (st *runState) accept(ctx context.Context) (string, error) {
	dep := st.report.Deployment
	if dep.AlreadyLive && !st.resumed {
		return "version already live", nil
	}
	if st.resumed {
		return "", st.acceptResumed(ctx)
	}
	st.info(StepAcceptance, "testing "+st.candidate.URL)
	err := st.checker.Check(ctx, st.candidate)
	if err == nil {
		return "", nil
	}
	left := st.failCandidate(ctx, dep.Name())
	if dep.FirstDeploy {
		return "", fmt.Errorf("%w; first deploy, so no traffic was live before; left behind: %s", err, left)
	}
	st.noteLive(ctx)
	return "", fmt.Errorf("%w; no swap: live traffic stays on %s; left behind: %s", err, dep.Live.Name(), left)
}

// acceptResumed checks a version an interrupted run made live. When it
// fails, live traffic goes back to the environment live before, if any.
func (st *runState) acceptResumed(ctx context.Context) error {
	p, dep := st.p, st.report.Deployment
	err := st.checker.Check(ctx, acceptance.Target{URL: "http://" + dep.CNAME(), Environment: dep.Name(), Version: dep.Label})
	if err == nil {
		return nil
	}
	rb := &Rollback{Config: p.Config, Clients: p.Clients, Acceptance: st.checker, Clock: p.Clock, Monitor: st.monitor, Soak: p.Soak, Logger: p.Logger, Observer: p.Observer}
	res, rerr := rb.run(ctx, &notify.Outcome{})
	if rerr != nil {
		return fmt.Errorf("%w; and rolling back failed: %w", err, rerr)
	}
	st.report.Live, st.report.LiveCNAME = res.Live, res.LiveCNAME
	return fmt.Errorf("%w; live traffic went back to %s", err, res.Live)
}

// failCandidate applies on_failure to a candidate that failed acceptance.
func (st *runState) failCandidate(ctx context.Context, name string) string {
	cfg := st.p.Config
	if cfg.OnFailure == config.OnFailureKeep || ctx.Err() != nil {
		return fmt.Sprintf("environment %s kept (on_failure: %s); it is billed until terminated", name, cfg.OnFailure)
	}
	st.info(StepAcceptance, "terminating "+name+" (on_failure: terminate)")
	err := beanstalk.Terminate(ctx, st.p.Clients.Beanstalk, st.monitor, cfg.Application, name,
		beanstalk.WaitOptions{Timeout: cfg.Timeouts.Terminate, Observer: st.p.Observer})
	if err != nil {
		return fmt.Sprintf("environment %s, whose termination failed: %v", name, err)
	}
	return fmt.Sprintf("nothing (environment %s terminated)", name)
}

func (st *runState) swap(ctx context.Context) (string, error) {
	p, dep := st.p, st.report.Deployment
	if st.resumed {
		st.markLive(ctx, dep.Environment)
		return "the interrupted run's swap completed; checked and marked live", nil
	}
	if dep.AlreadyLive {
		return "version already live", nil
	}
	sw := &swap.Swapper{EB: p.Clients.Beanstalk, Monitor: st.monitor, Clock: p.Clock, Observer: p.Observer, Logger: p.Logger}
	if p.Config.AWSZoneID != "" {
		sw.Route53 = p.Clients.Route53
	}
	if dep.FirstDeploy {
		st.report.Live, st.report.LiveCNAME = dep.Name(), dep.CNAME()
		st.markLive(ctx, dep.Environment)
		if sw.Route53 != nil {
			if _, err := sw.PointRecord(ctx, p.Config.AWSZoneID, p.Config.LiveHost, dep.CNAME(), dep.Name()); err != nil {
				return "", err
			}
		}
		return "first deploy: the new environment holds the live CNAME already", nil
	}
	res, err := sw.Swap(ctx, swap.Input{
		Application: p.Config.Application,
		Candidate:   dep.Name(),
		Live:        dep.Live.Name(),
		LiveCNAME:   aws.ToString(dep.Live.Environment.CNAME),
		Version:     dep.Label,
		Verify:      st.checker,
		Soak:        p.Soak,
		Timeout:     p.Config.Timeouts.Swap,
		ZoneID:      p.Config.AWSZoneID,
		Host:        p.Config.LiveHost,
	})
	if res != nil {
		st.report.Swap = res
	}
	var serr *swap.Error
	if errors.As(err, &serr) {
		st.report.Live = serr.Live
		return "", err
	}
	if res != nil {
		st.report.Live, st.report.LiveCNAME = res.Live, res.LiveCNAME
		st.markLive(ctx, dep.Environment)
	}
	return "", err
}

// markLive tags the new live environment; failing that is a warning: the
// environment is only harder for prune and rollback to recognise.
func (st *runState) markLive(ctx context.Context, env types.EnvironmentDescription) {
	clk := clock.Or(st.p.Clock)
	if err := beanstalk.MarkLive(ctx, st.p.Clients.Beanstalk, env, clk.Now()); err != nil {
		st.p.Observer.Emit(progress.Warning{At: clk.Now(), Step: StepSwap, Message: err.Error()})
	}
}

// prune retires old environments and versions after a successful deploy.
// Its failures are warnings: the deploy itself succeeded.
func (st *runState) prune(ctx context.Context) (string, error) {
	if !st.p.Config.PruneAfterDeploy {
		return "prune_after_deploy is off", nil
	}
	res, err := st.runPrune(ctx, beanstalk.PruneOptions{Exclusive: st.locked})
	st.report.Prune = res
	if err != nil {
		st.p.Observer.Emit(progress.Warning{At: clock.Or(st.p.Clock).Now(), Step: beanstalk.StepPrune, Message: fmt.Sprintf("pruning failed (the deploy succeeded): %v", err)})
	}
	return "", nil
}

func (st *runState) runPrune(ctx context.Context, o beanstalk.PruneOptions) (*beanstalk.PruneResult, error) {
	p := st.p
	pr := &beanstalk.Pruner{EB: p.Clients.Beanstalk, Monitor: st.monitor, Clock: p.Clock, Observer: p.Observer, Logger: p.Logger}
	if p.Config.AWSZoneID != "" {
		pr.Records = p.Clients.Route53
	}
	plan, err := pr.Plan(ctx, p.Config, o)
	if err != nil {
		return nil, err
	}
	if plan.Empty() {
		st.info(beanstalk.StepPrune, "nothing to prune")
		return &beanstalk.PruneResult{}, nil
	}
	return pr.Prune(ctx, p.Config, plan)
}

// noteLive records the live environment a failed deploy left in place.
func (st *runState) noteLive(context.Context) {
	if dep := st.report.Deployment; dep != nil && dep.Live.Environment != nil {
		st.report.Live, st.report.LiveCNAME = dep.Live.Name(), aws.ToString(dep.Live.Environment.CNAME)
	}
}
