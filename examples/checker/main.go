// Command checker shows a custom acceptance check: any
// acceptance.Checker decides whether a new environment may take live
// traffic. Here the service must answer /version with the version being
// deployed; a build that does not is refused before the swap, and live
// traffic stays where it was. It runs against the built-in simulator.
//
//	go run ./examples/checker
package main

import (
	"context"
	"encoding/json"
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
	"github.com/beanswap/beanswap/acceptance"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// versionCheck asks the environment which version it serves.
func versionCheck(client *http.Client) acceptance.Checker {
	return acceptance.CheckerFunc(func(ctx context.Context, t acceptance.Target) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL+"/version", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s/version: %w", t.URL, err)
		}
		defer resp.Body.Close()
		var v struct{ Version string }
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&v); err != nil || v.Version != t.Version {
			return &acceptance.Failure{Check: "version", Target: t.URL, Attempts: 1, Detail: fmt.Sprintf("serves version %q, want %q", v.Version, t.Version)}
		}
		return nil
	})
}

func run(ctx context.Context, out io.Writer) error {
	clk := beanstalktest.NewManualClock(time.Time{})
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	if err != nil {
		return err
	}
	defer sim.Close()
	cfg := config.Default()
	cfg.Name, cfg.LiveHost, cfg.DockerBucket = "shop", "shop.example.com", "shop-deploys"
	cfg.InstanceProfile, cfg.DockerAuthFormat = "aws-elasticbeanstalk-ec2-role", config.AuthFormatNone
	cfg.Timeouts.Acceptance = time.Minute
	if err := cfg.Validate(); err != nil {
		return err
	}
	if _, err := s3.NewFromConfig(sim.Config()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.DockerBucket)}); err != nil {
		return err
	}
	svc := &beanswap.Service{Config: cfg, Clients: beanswap.NewClients(sim.Config()), Acceptance: versionCheck(sim.HTTPClient()), Clock: clk}

	report, err := svc.Deploy(ctx, "public.ecr.aws/shop/web:1.0")
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "1.0 live on %s as %s\n", report.LiveCNAME, report.Version)

	// A broken build: it answers, but with the wrong version.
	sim.ScriptDefault(beanstalktest.Outcome{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"version": "0.0.0-dev"}`)
	})})
	report, err = svc.Deploy(ctx, "public.ecr.aws/shop/web:1.1")
	fmt.Fprintf(out, "1.1 refused: %v\n", err)
	fmt.Fprintf(out, "live traffic stays on %s\n", report.Live)
	return nil
}
