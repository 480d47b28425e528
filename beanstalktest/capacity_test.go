package beanstalktest

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCapacity follows an environment's Auto Scaling group through both
// APIs: created at MinSize, scaled by its policy within its bounds,
// raised with MinSize, left alone when MinSize is lowered, gone with the
// environment.
func TestCapacity(t *testing.T) {
	f := newFixture(t, Options{})
	groups := as.NewFromConfig(f.s.Config())
	f.version("v1", nil)
	f.create("hello-v1", "v1", "", option(nsASG, "MinSize", "2"), option(nsASG, "MaxSize", "6"))

	res := func() *types.EnvironmentResourceDescription {
		out, err := f.eb.DescribeEnvironmentResources(f.ctx, &eb.DescribeEnvironmentResourcesInput{EnvironmentName: aws.String("hello-v1")})
		require.NoError(t, err)
		return out.EnvironmentResources
	}
	group := func() astypes.AutoScalingGroup {
		name := aws.ToString(res().AutoScalingGroups[0].Name)
		out, err := groups.DescribeAutoScalingGroups(f.ctx, &as.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{name}})
		require.NoError(t, err)
		require.Len(t, out.AutoScalingGroups, 1)
		return out.AutoScalingGroups[0]
	}
	assert.Empty(t, res().AutoScalingGroups, "launching: no group yet")
	f.clock.Advance(10 * time.Minute)
	assert.Len(t, res().Instances, 2, "the group starts at MinSize")
	g := group()
	assert.Equal(t, int32(2), aws.ToInt32(g.MinSize))
	assert.Equal(t, int32(6), aws.ToInt32(g.MaxSize))
	assert.Equal(t, int32(2), aws.ToInt32(g.DesiredCapacity))
	require.Len(t, g.Instances, 2)
	assert.Equal(t, astypes.LifecycleStateInService, g.Instances[0].LifecycleState)

	n, err := f.s.SetCapacity("hello-v1", 9)
	require.NoError(t, err)
	assert.Equal(t, 6, n, "capped by MaxSize")
	assert.Len(t, res().Instances, 6)
	evs := f.events("hello-v1")
	assert.Regexp(t, `Added instance \[i-0[0-9a-z]+\] to your environment`, evs[len(evs)-1])

	update := func(min string) {
		_, err := f.eb.UpdateEnvironment(f.ctx, &eb.UpdateEnvironmentInput{EnvironmentName: aws.String("hello-v1"), OptionSettings: []types.ConfigurationOptionSetting{option(nsASG, "MinSize", min)}})
		require.NoError(t, err)
		f.clock.Advance(5 * time.Minute)
	}
	n, err = f.s.SetCapacity("hello-v1", 3)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	update("5")
	assert.Equal(t, int32(5), aws.ToInt32(group().DesiredCapacity), "raising MinSize raises the group")
	update("1")
	assert.Equal(t, int32(5), aws.ToInt32(group().DesiredCapacity), "lowering it leaves the scale-in to the policy")
	assert.Equal(t, int32(1), aws.ToInt32(group().MinSize))

	_, err = f.eb.TerminateEnvironment(f.ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String("hello-v1")})
	require.NoError(t, err)
	f.clock.Advance(10 * time.Minute)
	all, err := groups.DescribeAutoScalingGroups(f.ctx, &as.DescribeAutoScalingGroupsInput{})
	require.NoError(t, err)
	assert.Empty(t, all.AutoScalingGroups)
	_, err = f.s.SetCapacity("hello-v1", 2)
	assert.Error(t, err)
}
