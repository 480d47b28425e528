package beanstalktest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVirtualClock(t *testing.T) {
	c := NewVirtualClock(time.Time{})
	defer c.Close()
	start := c.Now()
	var mu sync.Mutex
	var woke []time.Duration
	var wg sync.WaitGroup
	for _, d := range []time.Duration{3 * time.Hour, time.Minute, 20 * time.Minute} {
		wg.Go(func() {
			require.NoError(t, c.Sleep(context.Background(), d))
			mu.Lock()
			woke = append(woke, c.Now().Sub(start))
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, []time.Duration{time.Minute, 20 * time.Minute, 3 * time.Hour}, woke, "hours pass in milliseconds, in order")

	release := c.Hold()
	done := make(chan struct{})
	go func() { _ = c.Sleep(context.Background(), time.Second); close(done) }()
	select {
	case <-done:
		t.Fatal("time moved while held")
	case <-time.After(20 * time.Millisecond):
	}
	release()
	<-done

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled)
}

// TestVirtualClockWaitsForBusyGoroutines: a goroutine working without
// touching the clock (planning its next sleep, on a loaded machine) keeps
// time from jumping to a later wake-up before it has set its own.
func TestVirtualClockWaitsForBusyGoroutines(t *testing.T) {
	c := NewVirtualClock(time.Time{})
	defer c.Close()
	start := c.Now()
	late := c.After(time.Hour) // someone else's wake-up, far ahead
	for deadline := time.Now().Add(30 * time.Millisecond); time.Now().Before(deadline); {
		// 30 quiet ticks of work, the clock untouched
	}
	require.NoError(t, c.Sleep(context.Background(), time.Second))
	assert.Equal(t, time.Second, c.Now().Sub(start), "woken at its own time, not after the hour")
	<-late
}

// TestInProcessOnAVirtualClock drives a launch with no network: the
// SDK's requests are served in process while time is virtual.
func TestInProcessOnAVirtualClock(t *testing.T) {
	clk := NewVirtualClock(time.Time{})
	defer clk.Close()
	s := Start(t, Options{Clock: clk, InProcess: true, AllowMissingInstanceProfile: true})
	c := eb.NewFromConfig(s.Config())
	ctx := context.Background()
	_, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("hello")})
	require.NoError(t, err)
	_, err = c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String("hello"), EnvironmentName: aws.String("hello-v1"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker")})
	require.NoError(t, err)
	require.NoError(t, clk.Sleep(ctx, 6*time.Minute))
	out, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"hello-v1"}})
	require.NoError(t, err)
	require.Len(t, out.Environments, 1)
	assert.Equal(t, types.EnvironmentStatusReady, out.Environments[0].Status)
	tr := s.Transitions()
	require.NotEmpty(t, tr)
	assert.Equal(t, types.EnvironmentStatusReady, tr[0].Status)
}
