package beanswap

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

// Plan is what a Pipeline run would do, worked out without changing
// anything on AWS: the dry run.
type Plan struct {
	Service string
	Image   string
	Version string
	// Auth says what registry auth file would be written, or why none.
	Auth   string
	Deploy *beanstalk.DeployPlan
	// Acceptance lists the checks to run.
	Acceptance []string
	// Swap says what the swap would do.
	Swap string
	// Route53 says what record would be written.
	Route53 string
}

// Plan works out what Run would do, with read-only calls.
func (p *Pipeline) Plan(ctx context.Context) (*Plan, error) {
	if p.Config == nil || p.Image == "" || p.Clients.Beanstalk == nil {
		return nil, errors.New("beanswap: a Pipeline needs Config, Image and Clients")
	}
	cfg := p.Config
	plan := &Plan{Service: cfg.Name, Image: p.Image}
	var auth *dockercfg.Authentication
	if cfg.DockerAuthFormat == config.AuthFormatNone {
		plan.Auth = "none (docker_auth_format: none, a public image)"
	} else {
		store := p.Docker
		if store == nil {
			var err error
			if store, err = dockercfg.Load(); err != nil {
				return nil, fmt.Errorf("%s: %w", StepAuth, err)
			}
		}
		ref, creds, err := store.ForImage(ctx, p.Image)
		switch {
		case errors.Is(err, dockercfg.ErrNoAuthNeeded):
			reason, _ := ref.NeedsNoAuth()
			plan.Auth = "none: " + reason
		case err != nil:
			return nil, fmt.Errorf("%s: %w", StepAuth, err)
		default:
			auth = &dockercfg.Authentication{Bucket: cfg.DockerBucket, Key: dockercfg.DefaultAuthKey}
			plan.Auth = fmt.Sprintf("write credentials for %s (from %s) to s3://%s/%s", ref.Registry, creds.Source, auth.Bucket, auth.Key)
		}
	}
	d := dockercfg.NewDockerrun(p.Image, cfg.ContainerPort, auth)
	d.Logging = "/var/log/"
	bundle, err := dockercfg.Bundle(d, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepBundle, err)
	}
	plan.Version = beanstalk.VersionLabel(p.Image, bundle)
	deployer := &beanstalk.Deployer{EB: p.Clients.Beanstalk, S3: p.Clients.S3, Monitor: p.Monitor, Clock: p.Clock}
	if cfg.AWSZoneID != "" && p.Clients.Route53 != nil {
		deployer.Records = p.Clients.Route53
	}
	if plan.Deploy, err = deployer.Plan(ctx, cfg, beanstalk.Release{Image: p.Image, Bundle: bundle, Label: plan.Version}); err != nil {
		return nil, fmt.Errorf("%s: %w", StepDeploy, err)
	}
	for _, c := range cfg.AcceptanceChecks {
		plan.Acceptance = append(plan.Acceptance, c.Name)
	}
	if len(cfg.AcceptanceCommand) > 0 {
		plan.Acceptance = append(plan.Acceptance, "command: "+strings.Join(cfg.AcceptanceCommand, " "))
	}
	dp := plan.Deploy
	switch {
	case dp.AlreadyLive:
		plan.Swap = "none: the version is live already"
	case dp.FirstDeploy:
		plan.Swap = "none: first deploy, the new environment takes the live CNAME prefix " + cfg.CNAMEPrefix
	default:
		plan.Swap = fmt.Sprintf("%s takes %s from %s, verified, swapped back if verification fails",
			dp.Environment, aws.ToString(dp.Live.Environment.CNAME), dp.Live.Name())
	}
	if cfg.AWSZoneID != "" && !dp.AlreadyLive {
		plan.Route53 = fmt.Sprintf("point %s (zone %s) at the live CNAME", cfg.LiveHost, cfg.AWSZoneID)
	}
	return plan, nil
}

// String renders the plan for people. It holds no secret.
func (p *Plan) String() string {
	var b strings.Builder
	row := func(k, v string) { fmt.Fprintf(&b, "  %-13s %s\n", k+":", v) }
	fmt.Fprintf(&b, "plan for %s, image %s\n", p.Service, p.Image)
	row("registry auth", p.Auth)
	dp := p.Deploy
	app := dp.Application
	if !dp.ApplicationExists {
		app += " (to create)"
	}
	row("application", app)
	if dp.VersionExists {
		row("version", p.Version+" (exists; reused)")
	} else {
		row("version", p.Version+" (to register; bundle to s3://…/"+beanstalk.BundleKey(dp.Application, p.Version)+")")
	}
	if dp.Live.Environment != nil {
		row("live", fmt.Sprintf("%s (%s, version %s), found by %s", dp.Live.Name(), aws.ToString(dp.Live.Environment.CNAME), aws.ToString(dp.Live.Environment.VersionLabel), dp.Live.How))
	} else {
		row("live", "none: "+dp.Live.How)
	}
	switch {
	case dp.AlreadyLive:
		row("environment", "none to create")
	case dp.AdoptLeftover:
		row("environment", fmt.Sprintf("%s exists from an earlier run (%s): wait for it", dp.Environment, dp.Leftover.Status))
	default:
		what := fmt.Sprintf("create %s on CNAME prefix %s", dp.Environment, dp.CNAMEPrefix)
		if dp.Leftover != nil {
			what = fmt.Sprintf("replace failed %s (%s/%s), then ", dp.Environment, dp.Leftover.Status, dp.Leftover.Health) + what
		}
		row("environment", what)
		row("platform", dp.Platform.String())
	}
	if !dp.AlreadyLive {
		opts := make([]string, len(dp.Options))
		for i, o := range dp.Options {
			opts[i] = o.String()
		}
		row("options", strings.Join(opts, "\n                "))
		row("acceptance", strings.Join(p.Acceptance, "; "))
	}
	row("swap", p.Swap)
	if p.Route53 != "" {
		row("route53", p.Route53)
	}
	b.WriteString("nothing was changed (dry run)\n")
	return b.String()
}
