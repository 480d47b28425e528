package beanswap_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
)

// A blue/green deploy against the simulator; with a real account, build
// the clients from beanswap.LoadAWSConfig instead.
func ExamplePipeline() {
	clock := beanstalktest.NewManualClock(time.Time{})
	sim, _ := beanstalktest.NewServer(beanstalktest.Options{Clock: clock})
	defer sim.Close()
	_, _ = s3.NewFromConfig(sim.Config()).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("shop-deploys")})

	cfg := config.Default()
	cfg.Name, cfg.LiveHost, cfg.DockerBucket = "shop", "shop.example.com", "shop-deploys"
	cfg.InstanceProfile = "aws-elasticbeanstalk-ec2-role"
	cfg.DockerAuthFormat = config.AuthFormatNone // a public image
	if err := cfg.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	for _, tag := range []string{"1.0", "1.1"} {
		p := &beanswap.Pipeline{
			Config:     cfg,
			Image:      "public.ecr.aws/shop/web:" + tag,
			Clients:    beanswap.NewClients(sim.Config()),
			HTTPClient: sim.HTTPClient(), // resolves the simulated environments
			Clock:      clock,
		}
		report, err := p.Run(context.Background())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s live on %s, first deploy %t, swapped %t\n", tag, report.LiveCNAME, report.Deployment.FirstDeploy, report.Swap != nil)
	}
	// Output:
	// 1.0 live on shop.us-east-1.elasticbeanstalk.com, first deploy true, swapped false
	// 1.1 live on shop.us-east-1.elasticbeanstalk.com, first deploy false, swapped true
}
