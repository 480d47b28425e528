// Command fleet deploys several services at once, as a platform team's
// tool would: every deploy shares one beanstalk.Monitor, so that their
// polling together stays within the account's Describe budget (about 2
// calls/s, burst 15) instead of being throttled. It runs against the
// built-in simulator, which enforces that budget.
//
//	go run ./examples/fleet -services 8
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
)

func main() {
	services := flag.Int("services", 8, "how many services to deploy at once")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *services); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, services int) error {
	clk := beanstalktest.NewScaledClock(time.Time{}, 600)
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	if err != nil {
		return err
	}
	defer sim.Close()
	clients := beanswap.NewClients(sim.Config())
	// One Monitor for the whole fleet: one call budget.
	monitor := beanstalk.NewMonitor(clients.Beanstalk, beanstalk.MonitorOptions{Clock: clk})

	start := clk.Now()
	var wg sync.WaitGroup
	errs := make([]error, services)
	for i := range services {
		cfg := config.Default()
		cfg.Name, cfg.LiveHost = fmt.Sprintf("svc%02d", i), fmt.Sprintf("svc%02d.example.com", i)
		cfg.DockerBucket, cfg.InstanceProfile = cfg.Name+"-deploys", "aws-elasticbeanstalk-ec2-role"
		cfg.DockerAuthFormat = config.AuthFormatNone
		if err := cfg.Validate(); err != nil {
			return err
		}
		if _, err := s3.NewFromConfig(sim.Config()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.DockerBucket)}); err != nil {
			return err
		}
		svc := &beanswap.Service{Config: cfg, Clients: clients, HTTPClient: sim.HTTPClient(), Clock: clk, Monitor: monitor}
		wg.Go(func() {
			for _, tag := range []string{"1.0", "1.1"} {
				if _, errs[i] = svc.Deploy(ctx, "public.ecr.aws/fleet/"+cfg.Name+":"+tag); errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			fmt.Fprintf(out, "svc%02d: %v\n", i, err)
		}
	}
	fmt.Fprintf(out, "%d services deployed twice in %s (simulated); %d failed; %d calls throttled by Beanstalk\n",
		services, clk.Now().Sub(start).Round(time.Second), failed, sim.Throttled())
	if failed > 0 {
		return fmt.Errorf("%d deploys failed", failed)
	}
	return nil
}
