package beanstalk

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beanswap/beanswap/beanstalktest"
)

// TestTagsAreReadAgainWhenTheEnvironmentChanged: tags read while the
// environment's DateUpdated stays are not read again; an update (which a
// tag change by anyone is) or our own tag write makes the next read go
// to Beanstalk.
func TestTagsAreReadAgainWhenTheEnvironmentChanged(t *testing.T) {
	clk := beanstalktest.NewManualClock(time.Time{})
	value := "v1"
	f := &fakeEB{
		ListTagsForResourceFn: func(*eb.ListTagsForResourceInput) (*eb.ListTagsForResourceOutput, error) {
			return &eb.ListTagsForResourceOutput{ResourceTags: []types.Tag{{Key: aws.String("k"), Value: aws.String(value)}}}, nil
		},
		UpdateTagsForResourceFn: func(*eb.UpdateTagsForResourceInput) (*eb.UpdateTagsForResourceOutput, error) {
			return &eb.UpdateTagsForResourceOutput{}, nil
		},
	}
	m := NewMonitor(f, MonitorOptions{Clock: clk})
	t0 := clk.Now()
	env := types.EnvironmentDescription{EnvironmentName: aws.String("e"), EnvironmentArn: aws.String("arn:e"), DateUpdated: aws.Time(t0)}
	read := func(env types.EnvironmentDescription) string {
		tags, err := m.TagsOf(context.Background(), f, env)
		require.NoError(t, err)
		return tags["k"]
	}

	assert.Equal(t, "v1", read(env))
	tags, _ := m.TagsOf(context.Background(), f, env)
	tags["k"] = "mutated by a caller"
	assert.Equal(t, "v1", read(env))
	assert.Equal(t, 1, f.count("ListTagsForResource"), "unchanged environment: read once")

	value = "v2" // someone else's tag write: the environment was updated
	env.DateUpdated = aws.Time(t0.Add(time.Minute))
	assert.Equal(t, "v2", read(env))
	assert.Equal(t, 2, f.count("ListTagsForResource"))

	value = "v3"
	require.NoError(t, m.MarkLive(context.Background(), f, "app", env, clk.Now(), WaitOptions{}))
	assert.Equal(t, "v3", read(env), "our own write: read again even before DateUpdated moves")
	assert.Equal(t, 3, f.count("ListTagsForResource"))

	env.DateUpdated = nil // an answer without the date proves nothing
	read(env)
	read(env)
	assert.Equal(t, 5, f.count("ListTagsForResource"))
}
