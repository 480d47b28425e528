package beanstalk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/acceptance"
)

// Staged deploys launch and accept a new environment, and leave live
// traffic where it is: a person (or a schedule) promotes it later,
// through the same checked swap.

// ErrNothingStaged means no staged environment waits to be promoted.
var ErrNothingStaged = errors.New("no staged environment to promote")

// Stage marks the new environment, which passed its acceptance checks
// (passed proves it), as staged: it stays off the live CNAME until
// promoted (Deployer.Promotable, then a swap), and pruning keeps the
// newest staged one. A first deploy has nothing to stage: it holds the
// live CNAME already.
func (d *Deployment) Stage(ctx context.Context, passed acceptance.Passed) error {
	switch {
	case d == nil || d.deployer.EB == nil:
		return fmt.Errorf("beanstalk: Stage on a Deployment not made by Deploy: %w", ErrMissingClient)
	case d.FirstDeploy || d.AlreadyLive:
		return fmt.Errorf("%s holds the live CNAME already: nothing to stage", d.Name())
	case !passed.Covers(d.Name(), d.Label):
		return fmt.Errorf("%s has not passed its acceptance checks in this run: only an accepted environment is staged", d.Name())
	}
	dp := d.deployer
	if err := dp.MonitorFor(dp.EB).markAccepted(ctx, dp.EB, d.Application, d.Environment, dp.Clocked().Now(), WaitOptions{Observer: dp.Observer}); err != nil {
		return err
	}
	dp.Info(StepDeploy, fmt.Sprintf("%s is staged on %s: live traffic stays on %s until it is promoted", d.Name(), d.CNAME(), d.Live.Name()))
	return nil
}

// Promotable returns the newest staged environment of spec's service as
// the Deployment to swap in. It must have been accepted after the live
// environment went live, and be Ready and Green; the swap runs its
// acceptance checks again. When the live environment has grown since,
// its minimum capacity is raised to match first (waited, reported), to
// be restored once live (RestoreCapacity).
func (d Deployer) Promotable(ctx context.Context, spec Spec) (*Deployment, error) {
	if err := d.check(spec, false); err != nil {
		return nil, err
	}
	spec = spec.withDefaults()
	d.Monitor = d.MonitorFor(d.EB)
	m := d.Monitor
	inv, err := m.Inventory(ctx, d.EB, spec.Service, spec.Application, spec.Live, d.Records)
	if err != nil {
		return nil, err
	}
	if len(inv.Staged) == 0 {
		return nil, fmt.Errorf("%w: run a staged deploy first", ErrNothingStaged)
	}
	st := inv.Staged[0]
	live := inv.Live
	switch {
	case live == nil:
		return nil, fmt.Errorf("%s is staged, but no environment is live (%s): a first deploy goes live at once", st.Name(), inv.LiveHow)
	case !st.Accepted.After(live.WentLive):
		return nil, fmt.Errorf("%w: %s was staged before %s went live: deploy again", ErrNothingStaged, st.Name(), live.Name())
	case st.Version == live.Version:
		return nil, fmt.Errorf("%s runs version %s, which is live already", st.Name(), st.Version)
	}
	if st.Environment.Status == types.EnvironmentStatusUpdating {
		// A tag write (its staging) or a configuration change is an
		// update: wait for it, bounded.
		d.Info(StepDeploy, fmt.Sprintf("%s is Updating: waiting for it to be Ready and healthy", st.Name()))
		env, err := m.WaitHealthy(ctx, spec.Application, st.Name(), WaitOptions{Timeout: 10 * time.Minute, Observer: d.Observer, Propagation: DefaultPropagation})
		if err != nil {
			return nil, fmt.Errorf("staged environment %s: %w", st.Name(), err)
		}
		st.Environment = env
	}
	if st.Environment.Status != types.EnvironmentStatusReady || st.Environment.Health != types.EnvironmentHealthGreen {
		return nil, fmt.Errorf("staged environment %s is %s with health %s: deploy again", st.Name(), st.Environment.Status, st.Environment.Health)
	}
	if err := m.CheckDatabase(ctx, d.EB, spec.Application, live.Name()); err != nil {
		return nil, err
	}
	dep := &Deployment{Application: spec.Application, Label: st.Version, Environment: st.Environment,
		Live: Live{Environment: &live.Environment, How: inv.LiveHow}, deployer: d, spec: spec}
	if len(inv.Previous) > 0 {
		dep.Previous = &inv.Previous[0]
	}
	if !spec.IgnoreLiveCapacity && spec.Environment.withDefaults().Type == LoadBalanced {
		if err := dep.matchCapacity(ctx, m); err != nil {
			return nil, err
		}
	}
	d.Info(StepDeploy, fmt.Sprintf("promoting %s (version %s, accepted %s) in place of %s", st.Name(), st.Version, st.Accepted.UTC().Format("2006-01-02 15:04:05 UTC"), live.Name()))
	return dep, nil
}

// matchCapacity raises the staged environment's minimum to the live
// one's capacity now, when it has grown since the environment was
// staged.
func (d *Deployment) matchCapacity(ctx context.Context, m *Monitor) error {
	c, err := d.deployer.capacity(ctx, m, d.Live.Name(), d.spec.Environment.OptionSettings())
	if err != nil {
		return err
	}
	current, err := m.minSize(ctx, d.deployer.EB, d.Application, d.Name())
	if err != nil {
		return err
	}
	if c.Min > current {
		d.deployer.Info(StepCapacity, fmt.Sprintf("%s has %d instances in service: raising the MinSize of %s from %d to %d before it takes the traffic", c.Live, c.InService, d.Name(), current, c.Min))
		if err := d.setMinSize(ctx, m, c.Min); err != nil {
			return err
		}
		// Its health after scaling out is checked by the swap.
		env, err := m.Environment(ctx, d.Application, d.Name())
		if err != nil {
			return err
		}
		d.Environment = env
	}
	c.Min = max(c.Min, current)
	d.Capacity = c
	return nil
}
