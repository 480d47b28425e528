package beanstalk

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
)

// DeployPlan is what Deploy will do, worked out with read-only calls.
type DeployPlan struct {
	Application       string
	ApplicationExists bool
	Label             string
	VersionExists     bool
	// Live is the live environment found.
	Live Live
	// Inventory is every environment of the service, by role; nil before
	// the first deploy. The live member's Tags (and WentLive) are read
	// here only when it runs Label already; otherwise they are nil until
	// Deploy reads them while the new environment launches.
	Inventory *Inventory
	// AlreadyLive: the live environment runs Label already and is
	// healthy; there is nothing to create.
	AlreadyLive bool
	// Unverified: AlreadyLive, but the live environment was never marked
	// as verified there (an interrupted run put it there): it must pass
	// its checks again.
	Unverified bool
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
	// Capacity is the new environment's minimum size, matched to the
	// live environment's; nil when not matched (first deploy, single
	// instance, Spec.IgnoreLiveCapacity).
	Capacity *Capacity
	// Drift lists the options the new environment will have differently
	// from the live one, those set on the live one by hand and dropped
	// by this deploy included.
	Drift []Drift
	// Warnings are what a person should know before going ahead.
	Warnings []string
}

// Plan works out what Deploy would do, changing nothing.
func (d Deployer) Plan(ctx context.Context, spec Spec, rel Release) (*DeployPlan, error) {
	if err := d.check(spec, false); err != nil {
		return nil, err
	}
	d.Monitor = d.MonitorFor(d.EB)
	return d.plan(ctx, spec.withDefaults(), rel)
}

func (d Deployer) plan(ctx context.Context, spec Spec, rel Release) (*DeployPlan, error) {
	m := d.MonitorFor(d.EB)
	plan := &DeployPlan{Application: spec.Application, Label: rel.label()}
	plan.Environment = EnvironmentName(spec.Service, plan.Label)
	plan.Options = append(spec.Environment.OptionSettings(), releaseEnv(spec.Service, plan.Label, rel.Image)...)
	plan.Tags = environmentTags(spec.Service, spec.Tags, plan.Label, rel.Image)

	var liveSettings []types.ConfigurationOptionSetting
	exists, err := m.applicationExists(ctx, d.EB, plan.Application)
	if err != nil {
		return nil, err
	}
	plan.ApplicationExists = exists
	if !exists {
		plan.FirstDeploy, plan.Live.How = true, "no application yet (first deploy)"
	} else {
		if plan.VersionExists, err = m.versionExists(ctx, d.EB, plan.Application, plan.Label); err != nil {
			return nil, err
		}
		// The live environment's tags say whether it was verified, which
		// matters only when it runs this label already; otherwise Deploy
		// reads them while the new environment launches (the swap needs
		// them): a fleet of deploys starting together does not queue for
		// them.
		inv, err := m.inventory(ctx, d.EB, spec.Service, plan.Application, spec.Live, d.Records)
		if err == nil && inv.Live != nil && inv.Live.Version == plan.Label {
			err = m.liveTags(ctx, d.EB, spec.Service, inv)
		}
		if err != nil {
			return nil, err
		}
		plan.Inventory = inv
		plan.Live = Live{How: inv.LiveHow}
		if inv.Live != nil {
			plan.Live.Environment = &inv.Live.Environment
		}
		if done, err := plan.judgeLive(inv); done || err != nil {
			return plan, err
		}
		if live := inv.Live; live != nil {
			if liveSettings, err = m.settings(ctx, d.EB, plan.Application, live.Name()); err != nil {
				return nil, err
			}
			if err := checkDatabase(live.Name(), liveSettings); err != nil {
				return nil, err
			}
		}
		if !plan.AdoptLeftover {
			if plan.FirstDeploy = inv.Live == nil; plan.FirstDeploy {
				plan.Live.How += " (first deploy)"
			}
			if e, ok := inv.Find(plan.Environment); ok {
				plan.Leftover = &e.Environment
				plan.AdoptLeftover = adoptable(e.Environment, plan.Label)
			}
		}
	}
	if plan.AdoptLeftover {
		plan.CNAMEPrefix = aws.ToString(plan.Leftover.CNAME)
		return plan, nil
	}
	if plan.Platform, err = m.resolvePlatform(ctx, d.EB, spec.Platform, spec.PlatformBranch); err != nil {
		return nil, err
	}
	if len(spec.Environment.SecretRefs) > 0 {
		warning, err := m.checkSecretRefsPlatform(ctx, d.EB, plan.Platform)
		if err != nil {
			return nil, err
		}
		if warning != "" {
			plan.Warnings = append(plan.Warnings, warning)
		}
	}
	if !plan.FirstDeploy && plan.Live.Environment != nil && !spec.IgnoreLiveCapacity && spec.Environment.withDefaults().Type == LoadBalanced {
		if plan.Capacity, err = d.capacity(ctx, m, plan.Live.Name(), plan.Options); err != nil {
			return nil, err
		}
		plan.Options = withMinSize(plan.Options, plan.Capacity.Min)
		if plan.Capacity.Raised() {
			plan.Tags = append(plan.Tags, types.Tag{Key: aws.String(TagMinSize), Value: aws.String(strconv.Itoa(plan.Capacity.Configured))})
		}
	}
	if live := plan.Live.Environment; live != nil && !plan.FirstDeploy {
		managed := map[optionKey]bool{{NamespaceEnvVars, EnvVersion}: true, {NamespaceEnvVars, EnvImage}: true}
		if plan.Capacity != nil {
			managed[optionKey{NamespaceASG, "MinSize"}] = true
		}
		if plan.Drift, err = d.drift(ctx, m, *live, liveSettings, plan.Options, plan.Platform, managed); err != nil {
			return nil, err
		}
	}
	prefix := spec.Live.CNAMEPrefix
	if !plan.FirstDeploy {
		prefix = CandidatePrefix(spec.Live.CNAMEPrefix, plan.Environment, spec.Service)
	}
	if plan.CNAMEPrefix, err = d.freePrefix(ctx, plan.Application, prefix, plan.FirstDeploy); err != nil {
		return nil, err
	}
	return plan, nil
}

// judgeLive decides what the live environment means for this deploy:
// done when it runs the version already (verified, or to verify again),
// an environment of an interrupted run to wait for, or an error when it
// was changed outside beanswap or is broken.
func (p *DeployPlan) judgeLive(inv *Inventory) (done bool, err error) {
	live := inv.Live
	if live == nil {
		return false, nil
	}
	e, verified := live.Environment, !live.WentLive.IsZero()
	runs := live.Version == p.Label
	switch {
	case runs && verified && e.Health != types.EnvironmentHealthRed &&
		(e.Status == types.EnvironmentStatusReady || e.Status == types.EnvironmentStatusUpdating):
		p.AlreadyLive = true
		return true, nil
	case runs && e.Status == types.EnvironmentStatusReady && e.Health == types.EnvironmentHealthGreen:
		p.AlreadyLive, p.Unverified = true, true
		return true, nil
	case runs && live.Name() == p.Environment && adoptable(e, p.Label):
		// An interrupted run's environment holds the live CNAME and is
		// still on its way (a first deploy launching): wait for it, then
		// verify it.
		p.Leftover, p.AdoptLeftover, p.Unverified = &live.Environment, true, true
		p.FirstDeploy = len(inv.Previous) == 0
		return false, nil
	case runs:
		return true, fmt.Errorf("the live environment %s runs version %s already but is %s with health %s: repair it (or deploy a new build, which gets an environment of its own)", live.Name(), p.Label, e.Status, e.Health)
	case live.Name() == p.Environment:
		return true, fmt.Errorf("environment %s is live but runs version %s, not %s: it was changed outside beanswap", p.Environment, live.Version, p.Label)
	}
	return false, nil
}

// adoptable reports whether an earlier run's environment can be waited
// for rather than replaced: it runs label and has not failed.
func adoptable(e types.EnvironmentDescription, label string) bool {
	return aws.ToString(e.VersionLabel) == label && e.Health != types.EnvironmentHealthRed &&
		(e.Status == types.EnvironmentStatusLaunching || e.Status == types.EnvironmentStatusReady || e.Status == types.EnvironmentStatusUpdating)
}

// freePrefix checks prefix with CheckDNSAvailability. The live prefix must
// be free as is; a temporary one gets a suffix until it is.
func (d Deployer) freePrefix(ctx context.Context, app, prefix string, live bool) (string, error) {
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
			return "", &PrefixHeldError{Prefix: p, CNAME: aws.ToString(out.FullyQualifiedCNAME), Application: app}
		}
	}
	return "", fmt.Errorf("no free CNAME prefix near %s", prefix)
}

// PrefixHeldError reports that the live CNAME prefix is taken, by no
// environment the application lists: one of another application, or one
// created so recently that Beanstalk does not list it yet (Deploy waits
// for that).
type PrefixHeldError struct {
	Prefix, CNAME, Application string
}

func (e *PrefixHeldError) Error() string {
	return fmt.Sprintf("the live CNAME prefix %s (%s) is held by an environment outside application %s: free it or set aws_cname_prefix", e.Prefix, e.CNAME, e.Application)
}
