package beanstalktest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentBlueGreen runs several blue/green cycles at once on a
// scaled clock, polling and swapping concurrently (run it with -race).
func TestConcurrentBlueGreen(t *testing.T) {
	clock := NewScaledClock(time.Time{}, 3000)
	s := Start(t, Options{Clock: clock, AllowMissingInstanceProfile: true, Faults: Faults{DisableThrottling: true}})
	cfg := s.Config()
	cfg.Retryer = func() aws.Retryer { return retry.NewStandard() }
	c := eb.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stack := aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker")

	waitReady := func(names ...string) error {
		for {
			out, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: names, IncludeDeleted: aws.Bool(false)})
			if err != nil {
				return err
			}
			ready := 0
			for _, e := range out.Environments {
				if e.Status == types.EnvironmentStatusReady && e.Health == types.EnvironmentHealthGreen {
					ready++
				}
			}
			if ready == len(names) {
				return nil
			}
			if err := clock.Sleep(ctx, 5*time.Second); err != nil {
				return err
			}
		}
	}

	const services = 6
	var wg sync.WaitGroup
	errs := make(chan error, services)
	for i := 0; i < services; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			app := fmt.Sprintf("svc%d", i)
			blue, green := app+"-blue", app+"-green"
			steps := []func() error{
				func() error {
					_, err := c.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String(app)})
					return err
				},
				func() error {
					_, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(app), EnvironmentName: aws.String(blue), CNAMEPrefix: aws.String(app + "-live"), SolutionStackName: stack})
					return err
				},
				func() error {
					_, err := c.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{ApplicationName: aws.String(app), EnvironmentName: aws.String(green), CNAMEPrefix: aws.String(app + "-next"), SolutionStackName: stack})
					return err
				},
				func() error { return waitReady(blue, green) },
				func() error {
					_, err := c.SwapEnvironmentCNAMEs(ctx, &eb.SwapEnvironmentCNAMEsInput{SourceEnvironmentName: aws.String(green), DestinationEnvironmentName: aws.String(blue)})
					return err
				},
				func() error { return clock.Sleep(ctx, time.Second) },
				func() error { return waitReady(blue, green) },
				func() error {
					_, err := c.TerminateEnvironment(ctx, &eb.TerminateEnvironmentInput{EnvironmentName: aws.String(blue)})
					return err
				},
			}
			for n, step := range steps {
				if err := step(); err != nil {
					errs <- fmt.Errorf("%s step %d: %w", app, n, err)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	out, err := c.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{IncludeDeleted: aws.Bool(false)})
	require.NoError(t, err)
	live := map[string]string{}
	for _, e := range out.Environments {
		if e.Status != types.EnvironmentStatusTerminating {
			live[aws.ToString(e.ApplicationName)] = aws.ToString(e.CNAME)
		}
	}
	for i := 0; i < services; i++ {
		app := fmt.Sprintf("svc%d", i)
		assert.Equal(t, app+"-live.us-east-1.elasticbeanstalk.com", live[app], "green holds the live CNAME")
	}
}
