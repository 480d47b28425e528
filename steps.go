package beanswap

// The steps of a Pipeline run, in order.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/notify"
	"github.com/beanswap/beanswap/progress"
	"github.com/beanswap/beanswap/swap"
)

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
	owner, err := st.bucketOwner(ctx)
	if err != nil {
		return "", err
	}
	pub, err := dockercfg.Publish(ctx, store, st.p.Clients.S3, dockercfg.PublishInput{
		Image:  st.p.Image,
		Bucket: cfg.DockerBucket,
		Format: cfg.DockerAuthFormat,
		Upload: dockercfg.UploadOptions{ExpectedBucketOwner: owner},
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

// bucketOwner is the account the credentials' bucket must belong to, so
// that they are never written to someone else's bucket.
func (st *runState) bucketOwner(ctx context.Context) (string, error) {
	switch p := st.p; {
	case p.ExpectedBucketOwner != "":
		return p.ExpectedBucketOwner, nil
	case p.Config.DockerBucketOwner != "":
		return p.Config.DockerBucketOwner, nil
	case p.Clients.STS == nil:
		return "", nil
	}
	out, err := st.p.Clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the deploying account (set docker_bucket_owner to skip): %w", err)
	}
	return aws.ToString(out.Account), nil
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
	// Typed as a failed swap verification, which it is, so that callers
	// (and the CLI's exit code) tell "swapped back" from "look now".
	err = fmt.Errorf("the version the interrupted run made live fails its checks: %w", err)
	rb := &Rollback{Config: p.Config, Clients: p.Clients, Acceptance: st.checker, Clock: p.Clock, Monitor: st.monitor, Soak: p.Soak, Logger: p.Logger, Observer: p.Observer}
	res, rerr := rb.run(ctx, &notify.Outcome{})
	if rerr != nil {
		return &swap.Error{Stage: "verify", Live: dep.Name(), Err: err, SwapBackErr: rerr}
	}
	st.report.Live, st.report.LiveCNAME = res.Live, res.LiveCNAME
	return &swap.Error{Stage: "verify", Live: res.Live, Err: err, SwappedBack: true}
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
		Soak:        orDuration(p.Soak, p.Config.SwapSoak),
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
