// Command embed is the smallest program embedding beanswap: it builds its
// configuration in Go (no pym-config.yaml) and deploys one image
// blue/green. Without -aws it deploys to the built-in simulator.
//
//	go run ./examples/embed                      # against the simulator
//	go run ./examples/embed -aws -image IMAGE    # against your AWS account
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/progress"
)

func main() {
	useAWS := flag.Bool("aws", false, "deploy to the AWS account of the default profile instead of the simulator")
	image := flag.String("image", "public.ecr.aws/nginx/nginx:1.27", "image to deploy")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *useAWS, *image, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, useAWS bool, image string, out io.Writer) error {
	cfg := config.Default()
	cfg.Name = "embedded"
	cfg.LiveHost = "embedded.example.com"
	cfg.DockerBucket = "embedded-deploys"
	cfg.InstanceProfile = "aws-elasticbeanstalk-ec2-role"
	cfg.DockerAuthFormat = config.AuthFormatNone // a public image
	if err := cfg.Validate(); err != nil {
		return err
	}

	var awsCfg aws.Config
	var httpClient *http.Client
	var clk clock.Clock = clock.Real{}
	if useAWS {
		var err error
		if awsCfg, err = beanswap.LoadAWSConfig(ctx, cfg); err != nil {
			return err
		}
	} else {
		sc := beanstalktest.NewScaledClock(time.Time{}, 600)
		sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: sc})
		if err != nil {
			return err
		}
		defer sim.Close()
		awsCfg, httpClient, clk = sim.Config(), sim.HTTPClient(), sc
		if _, err := s3.NewFromConfig(awsCfg).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.DockerBucket)}); err != nil {
			return err
		}
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}

	svc := &beanswap.Service{
		Config:     cfg,
		Clients:    beanswap.NewClients(awsCfg),
		HTTPClient: httpClient,
		Clock:      clk,
		Observer: func(e progress.Event) {
			if s, ok := e.(progress.StepFinished); ok {
				fmt.Fprintf(out, "%-13s done in %s (err: %v)\n", s.Step, s.Took.Round(time.Second), s.Err)
			}
		},
	}
	report, err := svc.Deploy(ctx, image)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s is live on %s, running %s\n", report.Live, report.LiveCNAME, report.Version)
	return nil
}
