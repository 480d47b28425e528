package beanstalk

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/internal/paging"
)

// StepCapacity names the capacity restore in progress events.
const StepCapacity = "capacity"

// TagMinSize records, on an environment whose minimum size was raised for
// capacity parity, the configured minimum to restore once it is live.
const TagMinSize = "beanswap:min-size"

// ResourcesAPI lists an environment's resources (its Auto Scaling group
// and instances); *elasticbeanstalk.Client satisfies it.
type ResourcesAPI interface {
	DescribeEnvironmentResources(ctx context.Context, in *eb.DescribeEnvironmentResourcesInput, optFns ...func(*eb.Options)) (*eb.DescribeEnvironmentResourcesOutput, error)
}

// UpdateAPI changes an environment's configuration.
type UpdateAPI interface {
	UpdateEnvironment(ctx context.Context, in *eb.UpdateEnvironmentInput, optFns ...func(*eb.Options)) (*eb.UpdateEnvironmentOutput, error)
}

// GroupsAPI reads Auto Scaling groups; *autoscaling.Client satisfies it.
type GroupsAPI interface {
	DescribeAutoScalingGroups(ctx context.Context, in *as.DescribeAutoScalingGroupsInput, optFns ...func(*as.Options)) (*as.DescribeAutoScalingGroupsOutput, error)
}

// Capacity is the new environment's minimum size, raised so that the swap
// does not send the live environment's traffic to fewer instances than
// serve it now.
type Capacity struct {
	// Live is the environment whose capacity was matched, and InService
	// its instances in service (or the desired capacity of its Auto
	// Scaling group, when higher: it is scaling out); Source says how
	// they were counted.
	Live      string
	InService int
	Source    string
	// Configured and Max are the Spec's MinSize and MaxSize.
	Configured, Max int
	// Min is the new environment's MinSize: Configured raised to
	// InService, capped at Max.
	Min int
}

// Raised reports whether Min is above the configured minimum, to be
// restored once the new environment is live (Deployment.RestoreCapacity).
func (c *Capacity) Raised() bool { return c != nil && c.Min > c.Configured }

func (c *Capacity) String() string {
	if c == nil {
		return "MinSize as configured"
	}
	s := fmt.Sprintf("MinSize %d: %s has %d in service (%s); configured %d, max %d", c.Min, c.Live, c.InService, c.Source, c.Configured, c.Max)
	if c.Raised() {
		s += fmt.Sprintf("; back to %d once live", c.Configured)
	}
	return s
}

// sizeBounds are the last MinSize and MaxSize among settings (later
// settings win, as they do on Beanstalk); 0 when unset.
func sizeBounds(settings []OptionSetting) (lo, hi int) {
	for _, o := range settings {
		if o.Namespace != NamespaceASG {
			continue
		}
		n, err := strconv.Atoi(o.Value)
		if err != nil {
			continue
		}
		switch o.Name {
		case "MinSize":
			lo = n
		case "MaxSize":
			hi = n
		}
	}
	return lo, hi
}

// withMinSize sets every MinSize among settings to n.
func withMinSize(settings []OptionSetting, n int) []OptionSetting {
	out := append([]OptionSetting(nil), settings...)
	for i, o := range out {
		if o.Namespace == NamespaceASG && o.Name == "MinSize" {
			out[i].Value = strconv.Itoa(n)
		}
	}
	return out
}

// capacity matches the live environment's capacity: it counts the
// instances in service in its Auto Scaling group (with d.AutoScaling), or
// the instances Beanstalk lists for it.
func (d Deployer) capacity(ctx context.Context, m *Monitor, live string, settings []OptionSetting) (*Capacity, error) {
	lo, hi := sizeBounds(settings)
	c := &Capacity{Live: live, Configured: lo, Max: hi}
	out, err := call(ctx, m, "describe resources of "+live, func() (*eb.DescribeEnvironmentResourcesOutput, error) {
		return d.EB.DescribeEnvironmentResources(ctx, &eb.DescribeEnvironmentResourcesInput{EnvironmentName: aws.String(live)})
	})
	if err != nil {
		return nil, fmt.Errorf("read the capacity of the live environment %s (needs elasticbeanstalk:DescribeEnvironmentResources; or turn capacity parity off): %w", live, err)
	}
	res := out.EnvironmentResources
	if res == nil {
		res = &types.EnvironmentResourceDescription{}
	}
	c.InService, c.Source = len(res.Instances), "instances Beanstalk lists"
	if d.AutoScaling != nil && len(res.AutoScalingGroups) > 0 {
		names := make([]string, 0, len(res.AutoScalingGroups))
		for _, g := range res.AutoScalingGroups {
			names = append(names, aws.ToString(g.Name))
		}
		n, err := groupCapacity(ctx, m, d.AutoScaling, names)
		if err != nil {
			return nil, fmt.Errorf("read the capacity of the live environment %s (needs autoscaling:DescribeAutoScalingGroups; or turn capacity parity off): %w", live, err)
		}
		c.InService, c.Source = n, "Auto Scaling group "+names[0]
	}
	c.Min = min(max(c.Configured, c.InService), c.Max)
	return c, nil
}

// groupCapacity counts the instances in service in the named groups, or
// their desired capacity when higher.
func groupCapacity(ctx context.Context, m *Monitor, api GroupsAPI, names []string) (int, error) {
	in := &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: names}
	total := 0
	pages := paging.Tokens{What: "describe Auto Scaling groups"}
	for {
		out, err := call(ctx, m, pages.What, func() (*as.DescribeAutoScalingGroupsOutput, error) {
			return api.DescribeAutoScalingGroups(ctx, in)
		})
		if err != nil {
			return 0, err
		}
		for _, g := range out.AutoScalingGroups {
			inService := 0
			for _, i := range g.Instances {
				if i.LifecycleState == astypes.LifecycleStateInService {
					inService++
				}
			}
			total += max(inService, int(aws.ToInt32(g.DesiredCapacity)))
		}
		token, err := pages.Next(out.NextToken)
		if err != nil {
			return 0, err
		}
		if token == "" {
			return total, nil
		}
		in.NextToken = aws.String(token)
	}
}

// RestoreCapacity lowers the environment's MinSize back to the configured
// minimum once it is live and has soaked: its minimum was raised to the
// capacity of the environment it replaced (Capacity), and Auto Scaling
// now scales it in as traffic allows. It is a no-op when nothing was
// raised, including for an environment an interrupted run raised and
// this one found live (its TagMinSize says so). It waits, bounded by
// Spec.Timeouts.Launch, for the update, and reports it.
func (d *Deployment) RestoreCapacity(ctx context.Context) (restored bool, err error) {
	if d == nil || d.deployer.EB == nil {
		return false, fmt.Errorf("beanstalk: RestoreCapacity on a Deployment not made by Deploy: %w", ErrMissingClient)
	}
	dp := d.deployer
	m := dp.MonitorFor(dp.EB)
	name := d.Name()
	target := -1
	if d.Capacity.Raised() {
		target = d.Capacity.Configured
	} else if d.AlreadyLive {
		tags, err := m.TagsOf(ctx, dp.EB, d.Environment)
		if err != nil {
			return false, fmt.Errorf("restore the capacity of %s: %w", name, err)
		}
		if n, err := strconv.Atoi(tags[TagMinSize]); err == nil {
			target = n
		}
	}
	if target < 0 {
		return false, nil
	}
	current, err := m.minSize(ctx, dp.EB, d.Application, name)
	if err != nil {
		return false, fmt.Errorf("restore the capacity of %s: %w", name, err)
	}
	if current <= target {
		return false, nil
	}
	dp.Info(StepCapacity, fmt.Sprintf("%s is live: lowering its MinSize from %d back to %d (Auto Scaling scales in as traffic allows)", name, current, target))
	if err := d.setMinSize(ctx, m, target); err != nil {
		return false, err
	}
	dp.Info(StepCapacity, fmt.Sprintf("%s: MinSize is %d again", name, target))
	return true, nil
}

// setMinSize sets the environment's MinSize to n and waits, bounded by
// Spec.Timeouts.Launch, until Beanstalk has applied it.
func (d *Deployment) setMinSize(ctx context.Context, m *Monitor, n int) error {
	dp, name := d.deployer, d.Name()
	timeout := d.spec.Timeouts.Launch
	since := dp.Clocked().Now()
	err := m.whenIdle(ctx, d.Application, name, StepCapacity, fmt.Sprintf("set the MinSize of %s to %d", name, n), WaitOptions{Timeout: timeout, Observer: dp.Observer}, func() error {
		_, err := dp.EB.UpdateEnvironment(ctx, &eb.UpdateEnvironmentInput{
			ApplicationName: aws.String(d.Application), EnvironmentName: aws.String(name),
			OptionSettings: []types.ConfigurationOptionSetting{{Namespace: aws.String(NamespaceASG), OptionName: aws.String("MinSize"), Value: aws.String(strconv.Itoa(n))}},
		})
		return err
	})
	if err != nil {
		return err
	}
	ready := func(envs map[string]types.EnvironmentDescription) (bool, error) {
		e, ok := envs[name]
		return ok && e.Status == types.EnvironmentStatusReady, nil
	}
	if _, err := m.Wait(ctx, d.Application, []string{name}, "to apply its new MinSize", ready,
		WaitOptions{Timeout: timeout, Since: since, Observer: dp.Observer, Propagation: DefaultPropagation}); err != nil {
		return fmt.Errorf("set the MinSize of %s to %d: %w", name, n, err)
	}
	return nil
}

// minSize reads env's current aws:autoscaling:asg MinSize.
func (m *Monitor) minSize(ctx context.Context, api ConfigurationAPI, app, env string) (int, error) {
	out, err := call(ctx, m, "describe configuration of "+env, func() (*eb.DescribeConfigurationSettingsOutput, error) {
		return api.DescribeConfigurationSettings(ctx, &eb.DescribeConfigurationSettingsInput{ApplicationName: aws.String(app), EnvironmentName: aws.String(env)})
	})
	if err != nil {
		return 0, err
	}
	n := 1 // Beanstalk's default
	for _, cs := range out.ConfigurationSettings {
		for _, o := range cs.OptionSettings {
			if aws.ToString(o.Namespace) == NamespaceASG && aws.ToString(o.OptionName) == "MinSize" {
				if v, err := strconv.Atoi(aws.ToString(o.Value)); err == nil {
					n = v
				}
			}
		}
	}
	return n, nil
}
