package beanswap

// The steps of a deploy, in order. Each takes what it needs and returns
// what it made (and, when it did nothing, why); Deploy and Plan chain them.

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/swap"
)

// publish writes the registry credentials the preflight resolved to S3.
func (d *deploy) publish(ctx context.Context, image string, checked dockercfg.Published) (dockercfg.Published, string, error) {
	if checked.Authentication == nil {
		return d.auth(ctx, image, false, nil) // nothing to write; say why
	}
	return d.auth(ctx, image, false, &checked.Credentials)
}

// auth writes the registry credentials Beanstalk needs to S3 (or, dry,
// works out what it would write), with creds when resolved already.
func (d *deploy) auth(ctx context.Context, image string, dry bool, creds *dockercfg.Credentials) (dockercfg.Published, string, error) {
	cfg := d.s.Config
	if cfg.DockerAuthFormat == config.AuthFormatNone {
		return dockercfg.Published{}, "docker_auth_format: none (public image)", nil
	}
	owner := ""
	if !dry {
		var err error
		if owner, err = d.bucketOwner(ctx); err != nil {
			return dockercfg.Published{}, "", err
		}
	}
	pub, err := dockercfg.Publish(ctx, d.s.Docker, d.s.Clients.S3, dockercfg.PublishInput{
		Image:       image,
		Bucket:      cfg.DockerBucket,
		Format:      cfg.DockerAuthFormat,
		Upload:      dockercfg.UploadOptions{ExpectedBucketOwner: owner},
		Load:        d.s.DockerOptions,
		DryRun:      dry,
		Credentials: creds,
	})
	if err != nil {
		return pub, "", err
	}
	d.report.Auth = pub
	d.scrub.Add(pub.Secrets()...)
	if pub.Authentication == nil {
		return pub, pub.NoAuthReason, nil
	}
	if !dry {
		d.rt.Info(StepAuth, fmt.Sprintf("credentials for %s (from %s) written to %s", pub.Reference.Registry, pub.Source, pub.Location))
	}
	return pub, "", nil
}

// bucketOwner is the account the credentials' bucket must belong to, so
// that they are never written to someone else's bucket.
func (d *deploy) bucketOwner(ctx context.Context) (string, error) {
	switch s := d.s; {
	case s.ExpectedBucketOwner != "":
		return s.ExpectedBucketOwner, nil
	case s.Config.DockerBucketOwner != "":
		return s.Config.DockerBucketOwner, nil
	case s.Clients.STS == nil:
		return "", nil
	}
	out, err := d.s.Clients.STS.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("find the deploying account (set docker_bucket_owner to skip): %w", err)
	}
	return aws.ToString(out.Account), nil
}

// bundle builds the source bundle and names its version.
func (d *deploy) bundle(image string, auth dockercfg.Published) (beanstalk.Release, string, error) {
	src := dockercfg.Source{Files: d.src.files, Compose: d.src.compose}
	what := "Dockerrun.aws.json for " + image
	switch {
	case d.src.compose == nil:
		dr := dockercfg.NewDockerrun(image, d.s.Config.ContainerPort, auth.Authentication)
		dr.Logging = "/var/log/"
		src.Dockerrun = &dr
	case auth.Authentication != nil:
		dr := dockercfg.NewDockerrunV3(*auth.Authentication)
		src.Dockerrun = &dr
		what = "Dockerrun.aws.json (version 3: the auth file) for " + image
	default:
		what = "no Dockerrun.aws.json (public images) for " + image
	}
	if extra := d.src.describe(); extra != "" {
		what += ", with " + extra
	}
	b, err := src.Zip()
	if err != nil {
		return beanstalk.Release{}, "", err
	}
	rel := beanstalk.Release{Image: image, Bundle: b, Label: beanstalk.VersionLabel(image, b)}
	d.report.Version = rel.Label
	d.rt.Info(StepBundle, fmt.Sprintf("%s, version %s (%d bytes zipped)", what, rel.Label, len(b)))
	return rel, "", nil
}

// launch starts the new environment and waits until it is healthy. At
// the version quota it prunes old versions once and tries again.
func (d *deploy) launch(ctx context.Context, rel beanstalk.Release) (*beanstalk.Deployment, string, error) {
	deployer := d.s.deployer(d.rt)
	if d.staged {
		// Staging beside nothing would put the environment on the live
		// CNAME: refuse before creating anything.
		plan, err := deployer.Plan(ctx, d.spec, rel)
		if err != nil {
			return nil, "", err
		}
		if plan.FirstDeploy {
			return nil, "", fmt.Errorf("nothing to stage beside: %s; a first deploy goes live at once (deploy without staging)", plan.Live.How)
		}
	}
	dep, err := deployer.Deploy(ctx, d.spec, rel)
	if errors.Is(err, beanstalk.ErrVersionQuota) && d.s.Config.PruneAfterDeploy {
		d.rt.Info(StepDeploy, "the application version quota is reached: pruning old versions, then trying once more")
		o := beanstalk.PruneOptions{VersionsOnly: true, Exclusive: d.lease != nil, MakeRoom: 1}
		if _, perr := d.s.pruner(d.rt).Prune(ctx, d.spec, o); perr != nil {
			return dep, "", fmt.Errorf("%w; pruning versions to make room failed: %w", err, perr)
		}
		dep, err = deployer.Deploy(ctx, d.spec, rel)
	}
	d.report.Deployment = dep
	d.noteLive(dep)
	var de *beanstalk.DeployError
	if errors.As(err, &de) {
		d.report.Left = de.Left
	}
	if err != nil {
		return dep, "", err
	}
	if dep.AlreadyLive && !dep.Unverified {
		return dep, "version already live", nil
	}
	return dep, "", nil
}

// accept runs the acceptance checks against the new environment; the
// beanstalk package handles a failed one (terminate or keep).
func (d *deploy) accept(ctx context.Context, dep *beanstalk.Deployment) (acceptance.Passed, string, error) {
	switch {
	case dep.AlreadyLive && !dep.Unverified:
		return acceptance.Passed{}, "version already live", nil
	case dep.Unverified && dep.Previous != nil:
		return acceptance.Passed{}, "an interrupted run swapped it in: the swap step verifies it, and swaps back if it fails", nil
	}
	passed, err := dep.Accept(ctx, d.check)
	var de *beanstalk.DeployError
	if errors.As(err, &de) {
		d.report.Left = de.Left
	}
	return passed, "", err
}

// goLive moves live traffic to the new environment: a checked swap, or,
// for a first deploy, only the Route53 record.
func (d *deploy) goLive(ctx context.Context, dep *beanstalk.Deployment, passed acceptance.Passed) (*swap.Result, string, error) {
	sw := d.s.swapper(d.rt)
	switch {
	case dep.AlreadyLive && !dep.Unverified:
		return nil, "version already live", nil
	case dep.FirstDeploy || (dep.Unverified && dep.Previous == nil):
		d.report.Live, d.report.LiveCNAME = dep.Name(), dep.CNAME()
		if in := d.s.swapInput(d.check); in.ZoneID != "" && sw.Route53 != nil {
			if _, err := sw.PointRecord(ctx, in.ZoneID, in.Host, dep.CNAME(), dep.Name()); err != nil {
				return nil, "", err
			}
		}
		return nil, "first deploy: the new environment holds the live CNAME already", nil
	}
	in := d.s.swapInput(d.check)
	in.Candidate, in.Version, in.Accepted = dep.Name(), dep.Label, passed
	in.Live, in.LiveCNAME = dep.Live.Name(), aws.ToString(dep.Live.Environment.CNAME)
	if dep.Unverified {
		in.Live, in.LiveCNAME = dep.Previous.Name(), dep.CNAME()
	}
	res, err := sw.Swap(ctx, in)
	d.report.Swap = res
	var se *swap.Error
	if errors.As(err, &se) {
		d.report.Live, d.report.LiveCNAME = se.Live, se.LiveCNAME
		if se.SwappedBack {
			diag := dep.Diagnose(ctx) // before Reject terminates it
			d.report.Left = dep.Reject(ctx)
			return res, "", &beanstalk.DiagnosedError{Err: fmt.Errorf("%w; left behind: %s", err, d.report.Left), Diagnostics: diag}
		}
		return res, "", err
	}
	if res != nil {
		d.report.Live, d.report.LiveCNAME = res.Live, res.LiveCNAME
	}
	return res, "", err
}

// stage leaves the accepted environment beside the live one.
func (d *deploy) stage(ctx context.Context, dep *beanstalk.Deployment, passed acceptance.Passed) (bool, string, error) {
	if dep.AlreadyLive {
		return false, "version already live", nil
	}
	if err := dep.Stage(ctx, passed); err != nil {
		return false, "", err
	}
	d.report.Staged, d.report.StagedURL = dep.Name(), dep.Target().URL
	return true, "", nil
}

// restoreCapacity lowers the new live environment's MinSize back to
// aws_hosts_min when it was raised to match the one it replaced. Its
// failures are warnings: the deploy succeeded, the environment only has
// more instances than configured.
func (d *deploy) restoreCapacity(ctx context.Context, dep *beanstalk.Deployment) (bool, string, error) {
	if !d.s.Config.CapacityParity {
		return false, "capacity_parity is off", nil
	}
	if !dep.AlreadyLive && !dep.Capacity.Raised() {
		return false, "the minimum size was not raised", nil
	}
	restored, err := dep.RestoreCapacity(ctx)
	d.report.CapacityRestored = restored
	if err != nil {
		d.rt.Warn(StepCapacity, fmt.Sprintf("lowering the minimum size of %s failed (the deploy succeeded; it runs more instances than aws_hosts_min until its MinSize is lowered): %v", dep.Name(), err))
	}
	return restored, "", nil
}

// prune retires old environments and versions after a successful deploy.
// Its failures are warnings: the deploy itself succeeded.
func (d *deploy) prune(ctx context.Context) (*beanstalk.PruneResult, string, error) {
	if !d.s.Config.PruneAfterDeploy {
		return nil, "prune_after_deploy is off", nil
	}
	res, err := d.s.pruner(d.rt).Prune(ctx, d.spec, beanstalk.PruneOptions{Exclusive: d.lease != nil})
	d.report.Pruned = res
	if err != nil {
		d.rt.Warn(StepPrune, fmt.Sprintf("pruning failed (the deploy succeeded): %v", err))
	}
	return res, "", nil
}

// noteLive records the live environment a deploy found, which stays live
// until a swap moves it.
func (d *deploy) noteLive(dep *beanstalk.Deployment) {
	if dep != nil && dep.Live.Environment != nil {
		d.report.Live, d.report.LiveCNAME = dep.Live.Name(), aws.ToString(dep.Live.Environment.CNAME)
	}
}
