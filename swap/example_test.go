package swap_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/swap"
)

// Swap moves the live CNAME to the candidate, verifies the live URL at once
// and again after the soak, and swaps back by itself if a check fails.
func ExampleSwapper_Swap() {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk, AllowMissingInstanceProfile: true})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	ctx, client := context.Background(), eb.NewFromConfig(sim.Config())
	_, _ = client.CreateApplication(ctx, &eb.CreateApplicationInput{ApplicationName: aws.String("shop")})
	for env, prefix := range map[string]string{"shop-blue": "shop", "shop-green": "shop-green"} {
		_, err := client.CreateEnvironment(ctx, &eb.CreateEnvironmentInput{
			ApplicationName: aws.String("shop"), EnvironmentName: aws.String(env), CNAMEPrefix: aws.String(prefix),
			SolutionStackName: aws.String("64bit Amazon Linux 2023 v4.13.1 running Docker"),
		})
		if err != nil {
			panic(err)
		}
	}
	clk.Advance(6 * time.Minute) // both Ready and Green

	s := &swap.Swapper{EB: client, Monitor: beanstalk.NewMonitor(client, beanstalk.MonitorOptions{Clock: clk})}
	res, err := s.Swap(ctx, swap.Input{
		Application: "shop", Candidate: "shop-green", Live: "shop-blue",
		Verify: acceptance.CheckerFunc(func(ctx context.Context, t acceptance.Target) error {
			fmt.Println("checking", t.URL, "serves", t.Environment)
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s is live on %s; %s kept for rollback\n", res.Live, res.LiveCNAME, res.Previous)
	// Output:
	// checking http://shop.us-east-1.elasticbeanstalk.com serves shop-green
	// checking http://shop.us-east-1.elasticbeanstalk.com serves shop-green
	// shop-green is live on shop.us-east-1.elasticbeanstalk.com; shop-blue kept for rollback
}
