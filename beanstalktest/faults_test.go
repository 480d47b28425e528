package beanstalktest

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestThrottlingTokenBucket(t *testing.T) {
	f := newFixture(t, Options{})
	describe := func() error {
		_, err := f.eb.DescribeEnvironments(f.ctx, &eb.DescribeEnvironmentsInput{ApplicationName: aws.String(appName)})
		return err
	}
	for i := 0; i < 15; i++ {
		require.NoError(t, describe(), "call %d is within the burst", i+1)
	}
	err := describe()
	assert.Equal(t, CodeThrottling, apiCode(err))
	assert.ErrorContains(t, err, "Rate exceeded")
	assert.ErrorContains(t, err, "StatusCode: 400")

	// The bucket is shared by the Describe calls and ListTagsForResource,
	// and not by the others.
	_, err = f.eb.DescribeEvents(f.ctx, &eb.DescribeEventsInput{})
	assert.Equal(t, CodeThrottling, apiCode(err))
	_, err = f.eb.DescribeApplications(f.ctx, &eb.DescribeApplicationsInput{})
	assert.NoError(t, err)

	f.clock.Advance(time.Second) // 2 tokens per second
	require.NoError(t, describe())
	require.NoError(t, describe())
	assert.Equal(t, CodeThrottling, apiCode(describe()))

	assert.Equal(t, 19, f.s.CallCount("DescribeEnvironments"), "throttled attempts count too")
	assert.Equal(t, 1, f.s.CallCount("DescribeEvents"))
	assert.Equal(t, 3, f.s.Throttled())

	f.s.SetFaults(Faults{DisableThrottling: true})
	for i := 0; i < 50; i++ {
		require.NoError(t, describe())
	}
}

func TestSDKRetriesThrottling(t *testing.T) {
	s := Start(t, Options{Faults: Faults{ThrottleBurst: 1, ThrottleRate: 20}})
	cfg := s.Config()
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxBackoff = 20 * time.Millisecond; o.MaxAttempts = 10 })
	}
	c := eb.NewFromConfig(cfg)
	for i := 0; i < 5; i++ {
		_, err := c.DescribeEnvironments(context.Background(), &eb.DescribeEnvironmentsInput{})
		require.NoError(t, err, "the standard retryer waits out the throttle")
	}
	assert.Greater(t, s.CallCount("DescribeEnvironments"), 5, "some attempts were throttled and retried")
}

func TestInjectedFailures(t *testing.T) {
	f := newFixture(t, Options{})
	call := func(ctx context.Context) error {
		_, err := f.eb.DescribeApplications(ctx, &eb.DescribeApplicationsInput{})
		return err
	}

	f.s.SetFaults(Faults{ErrorRate: 1})
	codes := map[string]bool{}
	for i := 0; i < 20; i++ {
		err := call(f.ctx)
		require.Error(t, err)
		codes[apiCode(err)] = true
	}
	assert.Equal(t, map[string]bool{CodeInternalFailure: true, CodeServiceUnavailable: true}, codes)

	f.s.SetFaults(Faults{DropRate: 1})
	err := call(f.ctx)
	require.Error(t, err)
	assert.Empty(t, apiCode(err), "a dropped connection has no API error: %v", err)

	f.s.SetFaults(Faults{SlowRate: 1, SlowDelay: 2 * time.Second})
	ctx, cancel := context.WithTimeout(f.ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = call(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)

	f.s.SetFaults(Faults{SlowRate: 1, SlowDelay: 50 * time.Millisecond})
	start = time.Now()
	require.NoError(t, call(f.ctx))
	assert.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)

	f.s.SetFaults(Faults{ErrorRate: 0.5})
	fails := 0
	for i := 0; i < 200; i++ {
		if call(f.ctx) != nil {
			fails++
		}
	}
	assert.InDelta(t, 100, fails, 35, "about half fail")

	f.s.SetFaults(Faults{})
	require.NoError(t, call(f.ctx))
	// One request per call (the SDK retries nothing here); the call
	// cancelled while slow may be cut before the server counts it.
	assert.InDelta(t, 1+20+1+1+1+200+1, f.s.Calls()["DescribeApplications"], 1)
	f.s.ResetCalls()
	assert.Zero(t, f.s.CallCount("DescribeApplications"))
}

func TestUnknownAction(t *testing.T) {
	f := newFixture(t, Options{})
	_, err := f.eb.RebuildEnvironment(f.ctx, &eb.RebuildEnvironmentInput{EnvironmentName: aws.String("x")})
	assert.Equal(t, CodeInvalidAction, apiCode(err))
	assert.ErrorContains(t, err, "Could not find operation RebuildEnvironment")
}
