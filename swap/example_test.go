package swap_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/swap"
)

// Blue/green with the packages alone, no pym-config.yaml and no root
// package: each version is deployed beside the live one, accepted,
// swapped in (verified, swapped back if it fails), and old environments
// pruned. Pruning keeps the live environment and the previous one, for
// rollback, however the steps were chained.
func ExampleSwapper_Swap() {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim, _ := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	defer sim.Close()
	ctx, client, s3c := context.Background(), eb.NewFromConfig(sim.Config()), s3.NewFromConfig(sim.Config())
	_, _ = s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shop-bundles")})

	spec := beanstalk.Spec{Service: "shop", Bucket: "shop-bundles",
		Environment: beanstalk.EnvironmentSettings{InstanceProfile: "aws-elasticbeanstalk-ec2-role"}}
	rt := beanstalk.Runtime{Clock: clk}
	check := &acceptance.HTTP{Checks: []acceptance.HTTPCheck{{Path: "/version", JSONField: "version", Equals: "{version}"}},
		Client: sim.HTTPClient(), Clock: clk}
	for _, image := range []string{"shop/web:1.0", "shop/web:1.1", "shop/web:1.2"} {
		bundle, _ := dockercfg.Bundle(dockercfg.NewDockerrun(image, 80, nil), nil)
		dep, err := beanstalk.Deployer{EB: client, S3: s3c, Runtime: rt}.Deploy(ctx, spec, beanstalk.Release{Image: image, Bundle: bundle})
		if err != nil {
			panic(err)
		}
		passed, err := dep.Accept(ctx, check)
		if err != nil || dep.FirstDeploy {
			fmt.Println(image, "first deploy, accepted:", err == nil)
			continue
		}
		res, err := swap.Swapper{EB: client, Runtime: rt}.Swap(ctx, swap.Input{Application: "shop", Candidate: dep.Name(),
			Live: dep.Live.Name(), Version: dep.Label, Check: check, Accepted: passed})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s live on %s, verified %d times, %s kept\n", image, res.LiveCNAME, res.Verified, res.Previous)
	}
	pruned, err := beanstalk.Pruner{EB: client, Runtime: rt}.Prune(ctx, spec, beanstalk.PruneOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("terminated:", pruned.Terminated)
	for _, k := range pruned.Plan.Keep {
		fmt.Println("kept:", k)
	}
	// Output:
	// shop/web:1.0 first deploy, accepted: true
	// shop/web:1.1 live on shop.us-east-1.elasticbeanstalk.com, verified 2 times, shop-1-0-c6817514 kept
	// shop/web:1.2 live on shop.us-east-1.elasticbeanstalk.com, verified 2 times, shop-1-1-a73e9e6c kept
	// terminated: [shop-1-0-c6817514]
	// kept: shop-1-2-d5faaf2a: live
	// kept: shop-1-1-a73e9e6c: previous live environment kept for rollback (1 of keep_environments 1)
}
