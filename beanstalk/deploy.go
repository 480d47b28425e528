package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// StepDeploy names the deploy step in progress events.
const StepDeploy = "deploy"

// Deployer creates new environments beside the live one. Set EB and S3
// (the SDK clients satisfy them); a missing one is an error naming it,
// never a panic. A Deployer is not modified by its methods: share one.
type Deployer struct {
	EB DeployAPI
	// S3 uploads the source bundles to Spec.Bucket.
	S3 PutObjectAPI
	// Records reads the live host's Route53 record when Spec.Live names
	// a zone; nil finds the live environment by its CNAME prefix only.
	Records RecordsAPI
	// HTTPClient downloads the instances' logs (presigned S3 URLs) when a
	// new environment fails, for its diagnostics; nil leaves the logs
	// out.
	HTTPClient *http.Client
	// AutoScaling counts the live environment's instances in service for
	// capacity parity (Spec.IgnoreLiveCapacity); nil counts the instances
	// Beanstalk lists for it.
	AutoScaling GroupsAPI
	Runtime
}

// Release is what to deploy.
type Release struct {
	// Image is the container image reference, for labels and tags.
	Image string
	// Bundle is the zipped source bundle (see dockercfg.Bundle).
	Bundle []byte
	// Label overrides the version label (default VersionLabel(Image, Bundle)).
	Label string
}

func (r Release) label() string {
	if r.Label != "" {
		return r.Label
	}
	return VersionLabel(r.Image, r.Bundle)
}

// ErrMissingClient means an operation was called without a client it needs.
var ErrMissingClient = errors.New("missing AWS client")

// check reports what keeps d from running spec: a missing client or an
// invalid spec.
func (d Deployer) check(spec Spec, uploads bool) error {
	if d.EB == nil {
		return fmt.Errorf("beanstalk: Deployer.EB is nil: %w", ErrMissingClient)
	}
	if uploads && d.S3 == nil {
		return fmt.Errorf("beanstalk: Deployer.S3 is nil (it uploads the source bundle): %w", ErrMissingClient)
	}
	return spec.validate(uploads)
}

// Deploy registers the release as an application version, creates a new
// environment running it beside the live one (or on the live CNAME when
// there is none yet) and waits until it is Ready and healthy. Re-running
// it after a crash finds the version and the environment the first run
// created and carries on.
//
// A new environment that fails is handled here, by spec.OnFailure; one
// that launched is tested with Deployment.Accept, which handles its
// failure the same way. On failure the error is a *DeployError saying
// what was left behind; the Deployment, when not nil, tells what was
// found (the live environment).
func (d Deployer) Deploy(ctx context.Context, spec Spec, rel Release) (*Deployment, error) {
	if err := d.check(spec, true); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	d.Monitor = d.MonitorFor(d.EB) // one budget for the whole call (d is a copy)
	started := d.Clocked().Now()
	plan, err := d.planListed(ctx, spec, rel)
	if err != nil {
		return nil, &DeployError{Err: err}
	}
	app, label := plan.Application, plan.Label
	dep := &Deployment{Application: app, Label: label, Live: plan.Live, Platform: plan.Platform, Capacity: plan.Capacity,
		FirstDeploy: plan.FirstDeploy, Unverified: plan.Unverified, deployer: d, spec: spec, since: started}
	if inv := plan.Inventory; inv != nil && len(inv.Previous) > 0 {
		dep.Previous = &inv.Previous[0]
	}

	if !plan.ApplicationExists {
		if created, err := d.createApplication(ctx, app, "Deployed by beanswap: "+spec.Service); err != nil {
			return nil, &DeployError{Err: err}
		} else if created {
			d.Info(StepDeploy, "created application "+app)
		}
	}
	for _, w := range plan.Warnings {
		d.Warn(StepDeploy, w)
	}
	for _, dr := range plan.Drift {
		if dr.Dropped {
			d.Warn(StepDeploy, "the live environment has a setting this configuration does not: "+dr.String())
		}
	}
	if live := plan.Live.Environment; live != nil {
		d.Info(StepDeploy, fmt.Sprintf("live environment: %s (%s, version %s), by %s", plan.Live.Name(), aws.ToString(live.CNAME), aws.ToString(live.VersionLabel), plan.Live.How))
	} else {
		d.Info(StepDeploy, "no live environment: "+plan.Live.How)
	}
	if plan.AlreadyLive {
		dep.AlreadyLive, dep.Environment, dep.VersionReused = true, *plan.Live.Environment, true
		if plan.Unverified {
			d.Info(StepDeploy, plan.Live.Name()+" runs version "+label+" on the live CNAME, but no run finished verifying it there: it is checked again")
		} else {
			d.Info(StepDeploy, "version "+label+" is already live; nothing to deploy")
		}
		return dep, nil
	}
	if plan.VersionExists {
		dep.VersionReused = true
		d.Info(StepDeploy, "version "+label+" exists already; reusing it")
	} else {
		reused, err := d.createVersion(ctx, app, label, spec.Bucket, rel.Bundle, rel.Image)
		if err != nil {
			return dep, &DeployError{Err: err}
		}
		dep.VersionReused = reused
		d.Info(StepDeploy, "registered version "+label)
	}

	name := plan.Environment
	if left := plan.Leftover; left != nil {
		if plan.AdoptLeftover {
			dep.Adopted = true
			d.Info(StepDeploy, fmt.Sprintf("environment %s from an earlier run is %s; waiting for it", name, left.Status))
			return d.await(ctx, dep, name, aws.ToTime(left.DateCreated), aws.ToTime(left.DateCreated))
		}
		d.Info(StepDeploy, fmt.Sprintf("environment %s from an earlier run is %s/%s with version %s; replacing it", name, left.Status, left.Health, aws.ToString(left.VersionLabel)))
		if err := d.terminate(ctx, spec, name); err != nil {
			return dep, &DeployError{Environment: name, Left: "environment " + name + " (" + string(left.Status) + ")", Err: fmt.Errorf("replace failed environment %s: %w", name, err)}
		}
	}

	in := &eb.CreateEnvironmentInput{
		ApplicationName: aws.String(app),
		EnvironmentName: aws.String(name),
		CNAMEPrefix:     aws.String(plan.CNAMEPrefix),
		VersionLabel:    aws.String(label),
		Description:     aws.String("beanswap: " + rel.Image),
		OptionSettings:  sdkOptions(plan.Options),
		Tags:            plan.Tags,
	}
	if plan.Platform.ARN != "" {
		in.PlatformArn = aws.String(plan.Platform.ARN)
	} else {
		in.SolutionStackName = aws.String(plan.Platform.SolutionStackName)
	}
	created, err := d.EB.CreateEnvironment(ctx, in)
	if isAlreadyExists(err) {
		e, derr := d.Monitor.Environment(ctx, app, name)
		switch {
		case derr == nil && e.Status == types.EnvironmentStatusTerminating:
			// A namesake is still terminating (pruned by another run):
			// wait until it is gone, then create it again.
			d.Info(StepDeploy, fmt.Sprintf("an earlier environment %s is still terminating: waiting for it, then creating it again", name))
			if err := d.terminate(ctx, spec, name); err != nil {
				return dep, &DeployError{Err: fmt.Errorf("create environment %s: %w", name, err)}
			}
			created, err = d.EB.CreateEnvironment(ctx, in)
		case derr == nil && !adoptable(e, label):
			return dep, &DeployError{Err: fmt.Errorf("create environment %s: one of that name is %s with version %s: %w", name, e.Status, aws.ToString(e.VersionLabel), translate(err))}
		default:
			// Created meanwhile (a concurrent or interrupted run), listed
			// or not yet: the same version, by its name; wait for it.
			dep.Adopted = true
			d.Info(StepDeploy, fmt.Sprintf("environment %s exists already (created by another run, maybe not listed yet): waiting for it", name))
			return d.await(ctx, dep, name, d.Clocked().Now(), time.Time{})
		}
	}
	if err != nil {
		return dep, &DeployError{Err: fmt.Errorf("create environment %s: %w", name, translate(err))}
	}
	d.Info(StepDeploy, fmt.Sprintf("creating environment %s on %s (%s)", name, aws.ToString(created.CNAME), plan.Platform))
	if c := plan.Capacity; c.Raised() {
		d.Info(StepDeploy, fmt.Sprintf("it starts with %d instances at least, as %s has %d in service (its configured MinSize, %d, is restored once it is live)", c.Min, c.Live, c.InService, c.Configured))
	}
	return d.awaitReadingLiveTags(ctx, dep, name, aws.ToTime(created.DateCreated), plan.Inventory, spec.Service)
}

// planListed plans; when the live CNAME prefix is taken by an environment
// Beanstalk does not list yet (a first deploy re-run right after it was
// interrupted), it waits for the listing, within DefaultPropagation.
func (d Deployer) planListed(ctx context.Context, spec Spec, rel Release) (*DeployPlan, error) {
	deadline := d.Clocked().Now().Add(DefaultPropagation)
	for {
		plan, err := d.plan(ctx, spec, rel)
		var held *PrefixHeldError
		if !errors.As(err, &held) || !d.Clocked().Now().Before(deadline) {
			return plan, err
		}
		d.Info(StepDeploy, fmt.Sprintf("the live CNAME prefix %s is taken, by no environment listed yet: waiting for Beanstalk to list it", held.Prefix))
		if err := d.Clocked().Sleep(ctx, 10*time.Second); err != nil {
			return nil, err
		}
	}
}

// awaitReadingLiveTags is await, reading meanwhile the tags of the live
// environment of inv (when there is one): the swap needs them (its
// rollback mark). Read while the new one launches, they hold up neither
// the start of deploys launched together, nor their swaps, nor the launch
// wait (behind a fleet's queue of tag reads, a failed launch went
// unnoticed for as long). A failed read is only a cold cache: the swap
// reads them again, and says why it cannot.
func (d Deployer) awaitReadingLiveTags(ctx context.Context, dep *Deployment, name string, created time.Time, inv *Inventory, service string) (*Deployment, error) {
	if inv == nil {
		return d.await(ctx, dep, name, created, created)
	}
	tagsCtx, stop := context.WithCancel(ctx)
	defer stop()
	read := make(chan struct{})
	go func() {
		defer close(read)
		_ = d.Monitor.liveTags(tagsCtx, d.EB, service, inv)
	}()
	dep, err := d.await(ctx, dep, name, created, created)
	if err != nil {
		stop() // no swap will need them
	}
	<-read // inv is the caller's again
	return dep, err
}

// await waits for the new environment and applies the failure policy if
// it fails. Its events count from since; createdAt, when known, tells it
// from an older namesake still listed.
func (d Deployer) await(ctx context.Context, dep *Deployment, name string, since, createdAt time.Time) (*Deployment, error) {
	env, err := d.MonitorFor(d.EB).WaitHealthy(ctx, dep.Application, name, WaitOptions{Timeout: dep.spec.Timeouts.Launch, Since: since, Observer: d.Observer,
		Propagation: DefaultPropagation, CreatedAt: createdAt, HealthGrace: dep.spec.Timeouts.HealthGrace})
	dep.Environment = env
	if env.EnvironmentName == nil {
		dep.Environment.EnvironmentName = aws.String(name) // not listed yet: its name, at least
	}
	if err == nil {
		dep.AlreadyLive = dep.Unverified && !dep.FirstDeploy
		d.Info(StepDeploy, fmt.Sprintf("environment %s is Ready and %s", name, env.Health))
		return dep, nil
	}
	diag := d.diagnose(ctx, dep, name) // before the failure policy removes what it reads
	left := fmt.Sprintf("environment %s, which holds the live CNAME: left as it is", name)
	if !dep.Unverified {
		left = d.cleanUp(ctx, dep.spec, name)
	}
	return dep, &DeployError{Environment: name, Left: left, Err: err, Diagnostics: diag}
}

// diagnose gathers why the environment failed, and says so.
func (d Deployer) diagnose(ctx context.Context, dep *Deployment, name string) *Diagnostics {
	if ctx.Err() != nil {
		return nil
	}
	d.Info(StepDeploy, fmt.Sprintf("gathering diagnostics of %s: its events, health causes and the end of its logs", name))
	diag := d.MonitorFor(d.EB).Diagnose(ctx, d.EB, dep.Application, name, DiagnoseOptions{Since: dep.since, Client: d.HTTPClient})
	if diag.Explanation != "" {
		d.Warn(StepDeploy, "why: "+diag.Explanation)
	}
	return diag
}

// cleanUp applies the failure policy to a failed new environment and
// says what remains. A cancelled deploy keeps its environment: the
// caller asked to stop, not to start terminating; a re-run will adopt or
// replace it.
func (d Deployer) cleanUp(ctx context.Context, spec Spec, name string) string {
	if ctx.Err() != nil {
		return fmt.Sprintf("environment %s as it was when the deploy was cancelled (re-run to continue with it, or terminate it)", name)
	}
	if spec.OnFailure == KeepFailed {
		return fmt.Sprintf("environment %s kept for debugging (on_failure: keep); it is billed until terminated", name)
	}
	d.Info(StepDeploy, fmt.Sprintf("terminating failed environment %s (on_failure: terminate)", name))
	if err := d.terminate(ctx, spec, name); err != nil {
		return fmt.Sprintf("environment %s, whose termination failed: %v", name, err)
	}
	return fmt.Sprintf("nothing (environment %s terminated)", name)
}

func (d Deployer) terminate(ctx context.Context, spec Spec, name string) error {
	// Only ever our own candidates come here, but a namesake made by hand
	// might own a database: its termination would delete the data.
	m := d.MonitorFor(d.EB)
	coupled, policy, err := m.database(ctx, d.EB, spec.Application, name)
	switch {
	case err != nil && !isNoSuchEnvironment(err):
		return fmt.Errorf("check %s for a coupled database before terminating it: %w", name, err)
	case coupled && !strings.EqualFold(policy, "Retain"):
		return &CoupledDatabaseError{Environment: name, DeletionPolicy: policy}
	}
	return terminate(ctx, d.EB, d.MonitorFor(d.EB), spec.Application, name, WaitOptions{Timeout: spec.Timeouts.Terminate, Observer: d.Observer})
}
