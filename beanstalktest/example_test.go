package beanstalktest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk/types"

	"github.com/beanswap/beanswap/beanstalktest"
)

// Test your own tool: point its client at the simulator, move the clock,
// observe what Beanstalk would show.
func Example() {
	clock := beanstalktest.NewManualClock(time.Time{})
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clock, AllowMissingInstanceProfile: true})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	ctx, client := context.Background(), eb.NewFromConfig(sim.Config())

	_, _ = client.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("shop")})
	env, err := client.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{
		ApplicationName: aws.String("shop"), EnvironmentName: aws.String("shop-blue"), CNAMEPrefix: aws.String("shop"),
		SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"),
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(*env.CNAME, env.Status, env.Health)

	clock.Advance(6 * time.Minute) // launch (5m) and health checks (30s)
	out, _ := client.DescribeEnvironments(ctx, &eb.DescribeEnvironmentsInput{EnvironmentNames: []string{"shop-blue"}})
	fmt.Println(out.Environments[0].Status, out.Environments[0].Health)

	events, _ := client.DescribeEvents(ctx, &eb.DescribeEventsInput{EnvironmentName: aws.String("shop-blue"), Severity: types.EventSeverityInfo, MaxRecords: aws.Int32(1)})
	fmt.Println(*events.Events[0].Message)
	// Output:
	// shop.us-east-1.elasticbeanstalk.com Launching Grey
	// Ready Green
	// Successfully launched environment: shop-blue
}
