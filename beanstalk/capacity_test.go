package beanstalk

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	as "github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pagedGroups answers DescribeAutoScalingGroups one group per page.
type pagedGroups []astypes.AutoScalingGroup

func (p pagedGroups) DescribeAutoScalingGroups(_ context.Context, in *as.DescribeAutoScalingGroupsInput, _ ...func(*as.Options)) (*as.DescribeAutoScalingGroupsOutput, error) {
	i := 0
	if in.NextToken != nil {
		i = int((*in.NextToken)[0] - '0')
	}
	out := &as.DescribeAutoScalingGroupsOutput{AutoScalingGroups: p[i : i+1]}
	if i+1 < len(p) {
		out.NextToken = aws.String(string(rune('0' + i + 1)))
	}
	return out, nil
}

func group(desired int32, states ...astypes.LifecycleState) astypes.AutoScalingGroup {
	g := astypes.AutoScalingGroup{DesiredCapacity: aws.Int32(desired)}
	for _, s := range states {
		g.Instances = append(g.Instances, astypes.Instance{LifecycleState: s})
	}
	return g
}

func TestGroupCapacity(t *testing.T) {
	in, pending, draining := astypes.LifecycleStateInService, astypes.LifecycleStatePending, astypes.LifecycleStateTerminating
	groups := pagedGroups{
		group(2, in, in, draining), // 2 in service
		group(5, in, pending),      // scaling out: its desired 5 counts
	}
	n, err := groupCapacity(context.Background(), NewMonitor(nil, MonitorOptions{}), groups, []string{"a", "b"})
	require.NoError(t, err)
	assert.Equal(t, 7, n, "every page read")
}

func TestCapacityOptions(t *testing.T) {
	settings := EnvironmentSettings{InstanceProfile: "p", MinInstances: 2, MaxInstances: 6, Options: []OptionSetting{{Namespace: NamespaceASG, Name: "MaxSize", Value: "8"}}}.OptionSettings()
	lo, hi := sizeBounds(settings)
	assert.Equal(t, 2, lo)
	assert.Equal(t, 8, hi, "a later option wins, as on Beanstalk")
	raised := withMinSize(settings, 5)
	lo, _ = sizeBounds(raised)
	assert.Equal(t, 5, lo)
	lo, _ = sizeBounds(settings)
	assert.Equal(t, 2, lo, "the spec's settings are not changed")

	c := &Capacity{Live: "hello-1", InService: 5, Source: "Auto Scaling group g", Configured: 2, Max: 8, Min: 5}
	assert.True(t, c.Raised())
	assert.Equal(t, "MinSize 5: hello-1 has 5 in service (Auto Scaling group g); configured 2, max 8; back to 2 once live", c.String())
	var none *Capacity
	assert.False(t, none.Raised())
}
