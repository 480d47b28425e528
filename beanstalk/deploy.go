package beanstalk

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

// Tags beanswap puts on the environments it creates.
const (
	TagManagedBy = "beanswap:managed-by"
	TagService   = "beanswap:service"
	TagVersion   = "beanswap:version"
	TagImage     = "beanswap:image"
)

// StepDeploy names the deploy step in progress events.
const StepDeploy = "deploy"

// Deployer creates new environments beside the live one. Its zero value
// is not usable: set EB and S3 (the SDK clients satisfy them).
type Deployer struct {
	EB DeployAPI
	S3 PutObjectAPI
	// Records reads the live host's Route53 record; nil skips it.
	Records RecordsAPI
	// Monitor polls Beanstalk; nil makes one over EB with Clock.
	Monitor *Monitor
	// Clock times the waits; nil is the wall clock.
	Clock clock.Clock
	// Logger receives debug details; nil discards.
	Logger *slog.Logger
	// Observer receives progress events; nil discards.
	Observer progress.Observer
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

// Deployment says what Deploy did.
type Deployment struct {
	Application string
	Label       string
	Platform    Platform
	// Environment is the new environment, healthy (or the live one when
	// AlreadyLive).
	Environment types.EnvironmentDescription
	// Live is the live environment found before the deploy.
	Live Live
	// FirstDeploy: there was no live environment, and the new one took
	// the live CNAME itself (nothing to swap).
	FirstDeploy bool
	// AlreadyLive: the live environment already runs this version.
	AlreadyLive bool
	// VersionReused: the application version existed already.
	VersionReused bool
	// Adopted: the environment was created by an earlier run, and this one
	// waited for it instead of creating another.
	Adopted bool
}

// Name returns the new environment's name.
func (d *Deployment) Name() string { return aws.ToString(d.Environment.EnvironmentName) }

// CNAME returns the new environment's CNAME.
func (d *Deployment) CNAME() string { return aws.ToString(d.Environment.CNAME) }

// DeployError reports a failed deploy and what it left on AWS.
type DeployError struct {
	// Environment is the new environment, "" if none was created.
	Environment string
	// Left says what remains: "nothing", "environment X terminated",
	// "environment X kept (on_failure: keep)", …
	Left string
	Err  error
}

func (e *DeployError) Error() string {
	if e.Environment == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v; left behind: %s; live traffic untouched", e.Err, e.Left)
}

func (e *DeployError) Unwrap() error { return e.Err }

func (d *Deployer) monitor() *Monitor {
	if d.Monitor == nil {
		d.Monitor = NewMonitor(d.EB, MonitorOptions{Clock: d.Clock})
	}
	return d.Monitor
}

func (d *Deployer) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

func (d *Deployer) info(msg string) {
	d.Observer.Emit(progress.Info{At: d.monitor().clock.Now(), Step: StepDeploy, Message: msg})
	d.logger().Debug(msg, "step", StepDeploy)
}

// DeployPlan is what Deploy will do, worked out with read-only calls.
type DeployPlan struct {
	Application       string
	ApplicationExists bool
	Label             string
	VersionExists     bool
	// Live is the live environment found.
	Live Live
	// AlreadyLive: the live environment runs Label already; nothing to do.
	AlreadyLive bool
	// Environment is the new environment's name.
	Environment string
	// Leftover is an environment of that name an earlier run left; it is
	// adopted (AdoptLeftover) or replaced.
	Leftover      *types.EnvironmentDescription
	AdoptLeftover bool
	// FirstDeploy: no live environment, so the new one takes the live
	// CNAME prefix itself.
	FirstDeploy bool
	CNAMEPrefix string
	Platform    Platform
	Options     []OptionSetting
	Tags        []types.Tag
}

// Plan works out what Deploy would do, changing nothing.
func (d *Deployer) Plan(ctx context.Context, cfg *config.Config, rel Release) (*DeployPlan, error) {
	m := d.monitor()
	plan := &DeployPlan{Application: cfg.Application, Label: rel.Label}
	if plan.Label == "" {
		plan.Label = VersionLabel(rel.Image, rel.Bundle)
	}
	apps, err := d.EB.DescribeApplications(ctx, &eb.DescribeApplicationsInput{ApplicationNames: []string{plan.Application}})
	if err != nil {
		return nil, fmt.Errorf("describe application %s: %w", plan.Application, err)
	}
	for _, a := range apps.Applications {
		plan.ApplicationExists = plan.ApplicationExists || aws.ToString(a.ApplicationName) == plan.Application
	}
	if !plan.ApplicationExists {
		plan.FirstDeploy, plan.Live.How = true, "no application yet (first deploy)"
	} else {
		versions, err := d.EB.DescribeApplicationVersions(ctx, &eb.DescribeApplicationVersionsInput{ApplicationName: aws.String(plan.Application), VersionLabels: []string{plan.Label}})
		if err != nil {
			return nil, fmt.Errorf("describe version %s: %w", plan.Label, err)
		}
		plan.VersionExists = len(versions.ApplicationVersions) > 0
		envs, err := m.Environments(ctx, plan.Application)
		if err != nil {
			return nil, err
		}
		if plan.Live, err = FindLive(ctx, envs, LiveSpec{CNAMEPrefix: cfg.CNAMEPrefix, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost}, d.Records); err != nil {
			return nil, err
		}
		if live := plan.Live.Environment; live != nil && aws.ToString(live.VersionLabel) == plan.Label && live.Health == types.EnvironmentHealthGreen {
			plan.AlreadyLive = true
			return plan, nil
		}
		if plan.FirstDeploy = plan.Live.Environment == nil; plan.FirstDeploy {
			plan.Live.How += " (first deploy)"
		}
		plan.Environment = EnvironmentName(cfg.Name, plan.Label)
		if e, ok := findActive(envs, plan.Environment); ok {
			if plan.Live.Name() == plan.Environment {
				if aws.ToString(e.VersionLabel) == plan.Label {
					return nil, fmt.Errorf("the live environment %s runs version %s already but its health is %s: repair it (or deploy a new build, which gets an environment of its own)", plan.Environment, plan.Label, e.Health)
				}
				return nil, fmt.Errorf("environment %s is live but runs version %s, not %s: it was changed outside beanswap", plan.Environment, aws.ToString(e.VersionLabel), plan.Label)
			}
			plan.Leftover = &e
			plan.AdoptLeftover = aws.ToString(e.VersionLabel) == plan.Label && e.Health != types.EnvironmentHealthRed &&
				(e.Status == types.EnvironmentStatusLaunching || e.Status == types.EnvironmentStatusReady || e.Status == types.EnvironmentStatusUpdating)
		}
	}
	if plan.Environment == "" {
		plan.Environment = EnvironmentName(cfg.Name, plan.Label)
	}
	plan.Options = OptionSettings(cfg)
	plan.Tags = environmentTags(cfg, plan.Label, rel.Image)
	if plan.AdoptLeftover {
		plan.CNAMEPrefix = aws.ToString(plan.Leftover.CNAME)
		return plan, nil
	}
	if plan.Platform, err = ResolvePlatform(ctx, d.EB, cfg.Platform, cfg.PlatformBranch); err != nil {
		return nil, err
	}
	prefix := cfg.CNAMEPrefix
	if !plan.FirstDeploy {
		prefix = CandidatePrefix(cfg.CNAMEPrefix, plan.Environment, cfg.Name)
	}
	if plan.CNAMEPrefix, err = d.freePrefix(ctx, plan.Application, prefix, plan.FirstDeploy); err != nil {
		return nil, err
	}
	return plan, nil
}

// Deploy registers the release as an application version, creates a new
// environment running it beside the live one (or on the live CNAME when
// there is none yet) and waits until it is Ready and healthy. Re-running
// it after a crash finds the version and the environment the first run
// created and carries on. On failure the error is a *DeployError saying
// what was left behind, and the Deployment, when not nil, tells what was
// found (the live environment).
func (d *Deployer) Deploy(ctx context.Context, cfg *config.Config, rel Release) (*Deployment, error) {
	plan, err := d.Plan(ctx, cfg, rel)
	if err != nil {
		return nil, &DeployError{Err: err}
	}
	app, label := plan.Application, plan.Label
	dep := &Deployment{Application: app, Label: label, Live: plan.Live, Platform: plan.Platform, FirstDeploy: plan.FirstDeploy}

	if !plan.ApplicationExists {
		if created, err := d.ensureApplication(ctx, app, "Deployed by beanswap: "+cfg.Name); err != nil {
			return nil, &DeployError{Err: err}
		} else if created {
			d.info("created application " + app)
		}
	}
	if live := plan.Live.Environment; live != nil {
		d.info(fmt.Sprintf("live environment: %s (%s, version %s), by %s", plan.Live.Name(), aws.ToString(live.CNAME), aws.ToString(live.VersionLabel), plan.Live.How))
	} else {
		d.info("no live environment: " + plan.Live.How)
	}
	if plan.AlreadyLive {
		dep.AlreadyLive, dep.Environment, dep.VersionReused = true, *plan.Live.Environment, true
		d.info("version " + label + " is already live; nothing to deploy")
		return dep, nil
	}
	if plan.VersionExists {
		dep.VersionReused = true
		d.info("version " + label + " exists already; reusing it")
	} else {
		reused, err := d.ensureVersion(ctx, app, label, cfg.DockerBucket, rel.Bundle, rel.Image)
		if err != nil {
			return dep, &DeployError{Err: err}
		}
		dep.VersionReused = reused
		d.info("registered version " + label)
	}

	name := plan.Environment
	if left := plan.Leftover; left != nil {
		if plan.AdoptLeftover {
			dep.Adopted = true
			d.info(fmt.Sprintf("environment %s from an earlier run is %s; waiting for it", name, left.Status))
			return d.await(ctx, cfg, dep, name, aws.ToTime(left.DateCreated))
		}
		d.info(fmt.Sprintf("environment %s from an earlier run is %s/%s with version %s; replacing it", name, left.Status, left.Health, aws.ToString(left.VersionLabel)))
		if err := Terminate(ctx, d.EB, d.monitor(), app, name, WaitOptions{Timeout: cfg.Timeouts.Terminate, Observer: d.Observer}); err != nil {
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
	if err != nil {
		return dep, &DeployError{Err: fmt.Errorf("create environment %s: %w", name, translate(err))}
	}
	d.info(fmt.Sprintf("creating environment %s on %s (%s)", name, aws.ToString(created.CNAME), plan.Platform))
	return d.await(ctx, cfg, dep, name, aws.ToTime(created.DateCreated))
}

// await waits for the new environment and applies on_failure if it fails.
func (d *Deployer) await(ctx context.Context, cfg *config.Config, dep *Deployment, name string, since time.Time) (*Deployment, error) {
	env, err := d.monitor().WaitHealthy(ctx, dep.Application, name, WaitOptions{Timeout: cfg.Timeouts.Launch, Since: since, Observer: d.Observer})
	if err == nil {
		dep.Environment = env
		d.info(fmt.Sprintf("environment %s is Ready and %s", name, env.Health))
		return dep, nil
	}
	return dep, &DeployError{Environment: name, Left: d.cleanUp(ctx, cfg, dep.Application, name), Err: err}
}

// cleanUp applies on_failure to a failed new environment and says what
// remains. A cancelled deploy keeps its environment: the caller asked to
// stop, not to start terminating; a re-run will adopt or replace it.
func (d *Deployer) cleanUp(ctx context.Context, cfg *config.Config, app, name string) string {
	if ctx.Err() != nil {
		return fmt.Sprintf("environment %s as it was when the deploy was cancelled (re-run to continue with it, or terminate it)", name)
	}
	if cfg.OnFailure == config.OnFailureKeep {
		return fmt.Sprintf("environment %s kept for debugging (on_failure: keep); it is billed until terminated", name)
	}
	d.info(fmt.Sprintf("terminating failed environment %s (on_failure: terminate)", name))
	err := Terminate(ctx, d.EB, d.monitor(), app, name, WaitOptions{Timeout: cfg.Timeouts.Terminate, Observer: d.Observer})
	if err != nil {
		return fmt.Sprintf("environment %s, whose termination failed: %v", name, err)
	}
	return fmt.Sprintf("nothing (environment %s terminated)", name)
}

// freePrefix checks prefix with CheckDNSAvailability. The live prefix must
// be free as is; a temporary one gets a suffix until it is.
func (d *Deployer) freePrefix(ctx context.Context, app, prefix string, live bool) (string, error) {
	for attempt := 0; attempt < 5; attempt++ {
		p := prefix
		if attempt > 0 {
			p = fmt.Sprintf("%s-%d", prefix[:min(len(prefix), maxCNAMEPrefix-3)], attempt+1)
		}
		out, err := d.EB.CheckDNSAvailability(ctx, &eb.CheckDNSAvailabilityInput{CNAMEPrefix: aws.String(p)})
		if err != nil {
			return "", fmt.Errorf("check CNAME prefix %s: %w", p, err)
		}
		if aws.ToBool(out.Available) {
			return p, nil
		}
		if live {
			return "", fmt.Errorf("the live CNAME prefix %s (%s) is held by an environment outside application %s: free it or set aws_cname_prefix",
				p, aws.ToString(out.FullyQualifiedCNAME), app)
		}
	}
	return "", fmt.Errorf("no free CNAME prefix near %s", prefix)
}

func findActive(envs []types.EnvironmentDescription, name string) (types.EnvironmentDescription, bool) {
	for _, e := range activeEnvironments(envs) {
		if aws.ToString(e.EnvironmentName) == name {
			return e, true
		}
	}
	return types.EnvironmentDescription{}, false
}

func environmentTags(cfg *config.Config, label, image string) []types.Tag {
	tags := []types.Tag{
		{Key: aws.String(TagManagedBy), Value: aws.String("beanswap")},
		{Key: aws.String(TagService), Value: aws.String(cfg.Name)},
		{Key: aws.String(TagVersion), Value: aws.String(label)},
		{Key: aws.String(TagImage), Value: aws.String(truncate(image, 256))},
	}
	for _, k := range slices.Sorted(maps.Keys(cfg.Tags)) {
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(cfg.Tags[k])})
	}
	return tags
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
