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

// Two blue/green deploys of a service configured in Go, against the
// simulator; with a real account, build the clients from
// beanswap.LoadAWSConfig instead.
func ExampleService_Deploy() {
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
	svc := &beanswap.Service{
		Config:     cfg,
		Clients:    beanswap.NewClients(sim.Config()),
		HTTPClient: sim.HTTPClient(), // resolves the simulated environments
		Clock:      clock,
	}
	for _, tag := range []string{"1.0", "1.1"} {
		report, err := svc.Deploy(context.Background(), "public.ecr.aws/shop/web:"+tag)
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

// Deploy, roll back and prune in sequence, as a tool embedding beanswap
// would: each operation takes the deploy lease, and pruning keeps the
// environment kept for rollback whatever came before.
func ExampleService() {
	clock := beanstalktest.NewManualClock(time.Time{})
	sim, _ := beanstalktest.NewServer(beanstalktest.Options{Clock: clock})
	defer sim.Close()
	ctx := context.Background()
	_, _ = s3.NewFromConfig(sim.Config()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shop-deploys")})

	cfg := config.Default()
	cfg.Name, cfg.LiveHost, cfg.DockerBucket = "shop", "shop.example.com", "shop-deploys"
	cfg.InstanceProfile, cfg.DockerAuthFormat, cfg.PruneAfterDeploy = "aws-elasticbeanstalk-ec2-role", config.AuthFormatNone, false
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	svc := &beanswap.Service{Config: cfg, Clients: beanswap.NewClients(sim.Config()), HTTPClient: sim.HTTPClient(), Clock: clock}
	for _, tag := range []string{"1.0", "1.1", "1.2"} {
		if _, err := svc.Deploy(ctx, "public.ecr.aws/shop/web:"+tag); err != nil {
			panic(err)
		}
	}
	back, err := svc.SwitchLive(ctx, beanswap.Previous) // roll back to 1.1, checked and verified
	if err != nil {
		panic(err)
	}
	fmt.Printf("rolled back to %s, verified %d times\n", back.Live, back.Verified)
	pruned, err := svc.Prune(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("terminated:", pruned.Terminated)
	inv, _ := svc.Status(ctx)
	for _, m := range inv.Members() {
		fmt.Println(m.Role, m.Name())
	}
	// Output:
	// rolled back to shop-1-1-e182f0bb, verified 2 times
	// terminated: [shop-1-0-d802783f]
	// live shop-1-1-e182f0bb
	// previous shop-1-2-e323313c
}
