package beanstalk_test

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	eb "github.com/aws/aws-sdk-go-v2/service/elasticbeanstalk"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/progress"
)

// Deploy registers the version and starts a new environment, waiting
// until it is Ready and healthy. The first deploy of a service takes the
// live CNAME itself; later ones start beside the live environment, for a
// swap. Here Beanstalk is the simulator, on a clock the waits advance.
func ExampleDeployer_Deploy() {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	if err != nil {
		panic(err)
	}
	defer sim.Close()
	ctx := context.Background()
	s3c := s3.NewFromConfig(sim.Config())
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("hello-docker")}); err != nil {
		panic(err)
	}
	spec := beanstalk.Spec{
		Service:     "hello",
		Bucket:      "hello-docker",
		Environment: beanstalk.EnvironmentSettings{InstanceProfile: "aws-elasticbeanstalk-ec2-role"},
	}
	d := beanstalk.Deployer{EB: eb.NewFromConfig(sim.Config()), S3: s3c, Runtime: beanstalk.Runtime{Clock: clk,
		Observer: func(e progress.Event) {
			if s, ok := e.(progress.EnvironmentStatus); ok {
				fmt.Println("status", s.Status, s.Health)
			}
		}}}
	for _, image := range []string{"team/hello:1.0.0", "team/hello:1.1.0"} {
		bundle, err := dockercfg.Bundle(dockercfg.NewDockerrun(image, 80, nil), nil)
		if err != nil {
			panic(err)
		}
		dep, err := d.Deploy(ctx, spec, beanstalk.Release{Image: image, Bundle: bundle})
		if err != nil {
			panic(err)
		}
		fmt.Println(image, "first deploy:", dep.FirstDeploy, "on", dep.CNAME())
	}
	// Output:
	// status Launching Grey
	// status Ready Grey
	// status Ready Green
	// team/hello:1.0.0 first deploy: true on hello.us-east-1.elasticbeanstalk.com
	// status Launching Grey
	// status Ready Grey
	// status Ready Green
	// team/hello:1.1.0 first deploy: false on hello-1-1-0-c828a529.us-east-1.elasticbeanstalk.com
}
