// Command demo is beanswap's main job, end to end, with nothing to set
// up: it starts the Elastic Beanstalk simulator in-process (its clock
// running -scale times faster than real time) and deploys a sample
// service twice through the library — hello:1.0.0 (a first deploy: it
// takes the live CNAME), then hello:1.1.0 (a new environment beside the
// live one, acceptance tests, a verified CNAME swap) — printing what a
// real deploy prints, then the service's status.
//
//	go run ./examples/demo          # text, as a person follows a deploy
//	go run ./examples/demo -json    # the JSON lines CI would read
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
	"github.com/beanswap/beanswap/progress"
)

// demoConfig is the sample service's pym-config.yaml, as a pymacaron
// project would have it, plus what beanswap needs.
const demoConfig = `# Written by the beanswap demo.
name: hello
docker_repo: registry.example.com/demo
deploy_target: aws-beanstalk
docker_bucket: hello-demo-docker
live_host: api.hello.example.com
aws_region: us-east-1
aws_instance_type: t3.small
aws_instance_profile: aws-elasticbeanstalk-ec2-role
aws_service_role: aws-elasticbeanstalk-service-role
env_secrets:
  - HELLO_API_KEY
acceptance_checks:
  - path: /ping
  - name: serves the new version
    path: /version
    json_field: version
    equals: "{version}"
jwt_issuer: api.hello.example.com
`

// demoDockerConfig is a docker config.json with inline credentials for
// the (simulated) private registry.
const demoDockerConfig = `{"auths": {"registry.example.com": {"auth": "ZGVtbzpkZW1vLXBhc3N3b3Jk"}}}`

func main() {
	jsonOut := flag.Bool("json", false, "print progress as JSON lines")
	verbose := flag.Bool("v", false, "print every check attempt")
	scale := flag.Float64("scale", 120, "simulated seconds per real second")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "demo: unexpected argument %q\n", flag.Arg(0))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, *jsonOut, *verbose, *scale); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdout io.Writer, jsonOut, verbose bool, scale float64) error {
	clk := beanstalktest.NewScaledClock(time.Time{}, scale)
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	if err != nil {
		return err
	}
	defer sim.Close()

	dir, err := os.MkdirTemp("", "beanswap-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfgPath, dockerPath := filepath.Join(dir, "pym-config.yaml"), filepath.Join(dir, "docker-config.json")
	for path, body := range map[string]string{cfgPath: demoConfig, dockerPath: demoDockerConfig} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return err
		}
	}
	demoEnv := func(k string) (string, bool) { return "demo-secret-value", k == "HELLO_API_KEY" }
	cfg, err := config.Load(cfgPath, config.WithLookupEnv(demoEnv))
	if err != nil {
		return err
	}
	store, err := dockercfg.Load(dockercfg.WithConfigFile(dockerPath))
	if err != nil {
		return err
	}
	if _, err := s3.NewFromConfig(sim.Config()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.DockerBucket)}); err != nil {
		return fmt.Errorf("create bucket: %w", err)
	}
	// The private registry the images live in, with the credentials the
	// Docker config holds.
	sim.RequireRegistryAuth("registry.example.com", "demo", "demo-password")
	say := func(format string, args ...any) {
		if !jsonOut {
			fmt.Fprintf(stdout, format, args...)
		}
	}
	say("beanswap demo: Elastic Beanstalk simulator on %s, clock x%g (times below are simulated)\n", sim.URL, scale)
	say("service %q from %s; registry credentials from %s\n", cfg.Name, cfgPath, dockerPath)
	for _, n := range cfg.Notes {
		say("note: %s\n", n)
	}
	svc := &beanswap.Service{Config: cfg, Clients: beanswap.NewClients(sim.Config()), Docker: store, HTTPClient: sim.HTTPClient(), Clock: clk}
	var lines *progress.JSONLines
	if jsonOut {
		lines = progress.NewJSONLines(stdout)
	}
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		image := cfg.DockerRepo + "/" + cfg.Name + ":" + tag
		if err := sim.PushImage(ctx, image); err != nil {
			return fmt.Errorf("push %s: %w", image, err)
		}
		say("\n=== docker push %s (to the simulated registry) ===\n=== deploy %s ===\n", image, image)
		if lines != nil {
			svc.Observer = lines.Observe
		} else {
			svc.Observer = (&progress.Text{W: stdout, Start: clk.Now(), Verbose: verbose}).Observe
		}
		report, err := svc.Deploy(ctx, image)
		say("\n%s", report.Summary(err))
		if err != nil {
			return err
		}
		if lines != nil {
			lines.Write(map[string]any{"type": "result", "ok": true, "version": report.Version, "live": report.Live, "live_cname": report.LiveCNAME})
		}
		if body, err := get(ctx, sim.HTTPClient(), "http://"+report.LiveCNAME+"/version"); err == nil {
			say("  GET http://%s/version → %s", report.LiveCNAME, body)
		}
		if tag == "1.0.0" {
			// Traffic grows: the live environment's Auto Scaling group
			// scales out, and the next environment starts as large.
			n, err := sim.SetCapacity(report.Live, 3)
			if err != nil {
				return err
			}
			say("\n=== load grows: %s scales out to %d instances ===\n", report.Live, n)
		}
	}
	say("\n=== status ===\n")
	inv, err := svc.Status(ctx)
	if err != nil {
		return err
	}
	if lines != nil {
		return nil
	}
	return inv.WriteTable(stdout)
}

func get(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return string(b), err
}
