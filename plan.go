package beanswap

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

// Plan is what Deploy would do, worked out without changing anything on
// AWS: the dry run.
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
	// Secrets says how the container's secrets reach it.
	Secrets []string
}

// Plan works out what Deploy would do, with read-only calls: the same
// steps, run dry.
func (s *Service) Plan(ctx context.Context, image string) (plan *Plan, err error) {
	if err := s.check(false); err != nil {
		return nil, err
	}
	if _, err := dockercfg.ParseReference(image); err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrInvalidImage, image, err)
	}
	rt, scrub := s.runtime()
	d := s.begin(rt, scrub, &Report{Service: s.Config.Name, Image: image})
	d.rt.Observer = nil // a plan reports nothing as it goes
	defer func() { err = scrub.Error(err) }()
	cfg := s.Config
	plan = &Plan{Service: cfg.Name, Image: image}

	auth, err := d.preflight(ctx, image)
	skipped := auth.NoAuthReason
	if s.Config.DockerAuthFormat == config.AuthFormatNone {
		skipped = "docker_auth_format: none (public image)"
	}
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s: %w", StepPreflight, err)
	case auth.Authentication != nil:
		plan.Auth = fmt.Sprintf("write credentials for %s (from %s) to %s", auth.Reference.Registry, auth.Source, auth.Location)
	default:
		plan.Auth = "none: " + skipped
	}
	rel, _, err := d.bundle(image, auth)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", StepBundle, err)
	}
	plan.Version = rel.Label
	if plan.Deploy, err = s.deployer(d.rt).Plan(ctx, d.spec, rel); err != nil {
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
	case dp.AlreadyLive && dp.Unverified:
		plan.Swap = "none: " + dp.Live.Name() + " runs the version on the live CNAME already; it is verified again"
	case dp.AlreadyLive:
		plan.Swap = "none: the version is live already"
	case dp.FirstDeploy:
		plan.Swap = "none: first deploy, the new environment takes the live CNAME prefix " + d.spec.Live.CNAMEPrefix
	default:
		plan.Swap = fmt.Sprintf("%s takes %s from %s, verified, swapped back if verification fails",
			dp.Environment, aws.ToString(dp.Live.Environment.CNAME), dp.Live.Name())
	}
	plan.Secrets = secretsDelivery(cfg)
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
		if dp.Capacity != nil {
			row("capacity", dp.Capacity.String())
		}
	}
	if !dp.AlreadyLive {
		opts := make([]string, len(dp.Options))
		for i, o := range dp.Options {
			opts[i] = o.String()
		}
		row("options", strings.Join(opts, "\n                "))
		if len(dp.Drift) > 0 {
			drift := make([]string, len(dp.Drift))
			for i, d := range dp.Drift {
				drift[i] = d.String()
			}
			row("drift", strings.Join(drift, "\n                "))
		}
		if len(p.Secrets) > 0 {
			row("secrets", strings.Join(p.Secrets, "\n                "))
		}
		row("acceptance", strings.Join(p.Acceptance, "; "))
	}
	row("swap", p.Swap)
	for _, w := range dp.Warnings {
		row("warning", w)
	}
	if p.Route53 != "" {
		row("route53", p.Route53)
	}
	b.WriteString("nothing was changed (dry run)\n")
	return b.String()
}

// secretsDelivery says where each kind of secret is visible.
func secretsDelivery(cfg *config.Config) []string {
	var out []string
	if len(cfg.EnvSecrets) > 0 {
		out = append(out, strings.Join(cfg.EnvSecrets, ", ")+" (env_secrets): set as plain Beanstalk option values, readable by anyone allowed elasticbeanstalk:DescribeConfigurationSettings; env_secret_refs keeps values in Secrets Manager or SSM")
	}
	if len(cfg.SecretRefs) > 0 {
		names := slices.Sorted(maps.Keys(cfg.SecretRefs))
		out = append(out, strings.Join(names, ", ")+" (env_secret_refs): read by the instances at boot from Secrets Manager or SSM; the values never leave AWS")
	}
	return out
}
