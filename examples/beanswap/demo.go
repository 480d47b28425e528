package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalktest"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

// demoConfig is the sample service's pym-config.yaml, as a pymacaron
// project would have it, plus what beanswap needs.
const demoConfig = `# Written by "beanswap demo".
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

func runDemo(ctx context.Context, args []string, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	fs.BoolVar(&c.jsonOut, "json", false, "print progress as JSON lines")
	fs.BoolVar(&c.verbose, "v", false, "print every check attempt and debug logs")
	scale := fs.Float64("scale", 120, "simulated seconds per real second")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	clk := beanstalktest.NewScaledClock(time.Time{}, *scale)
	sim, err := beanstalktest.NewServer(beanstalktest.Options{Clock: clk})
	if err != nil {
		fmt.Fprintln(stderr, "beanswap demo:", err)
		return exitFailed
	}
	defer sim.Close()

	dir, err := os.MkdirTemp("", "beanswap-demo-")
	if err != nil {
		fmt.Fprintln(stderr, "beanswap demo:", err)
		return exitFailed
	}
	defer os.RemoveAll(dir)
	cfgPath, dockerPath := filepath.Join(dir, "pym-config.yaml"), filepath.Join(dir, "docker-config.json")
	for path, body := range map[string]string{cfgPath: demoConfig, dockerPath: demoDockerConfig} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			fmt.Fprintln(stderr, "beanswap demo:", err)
			return exitFailed
		}
	}
	demoEnv := func(k string) (string, bool) {
		if k == "HELLO_API_KEY" {
			return "demo-secret-value", true
		}
		return "", false
	}
	notes := stderr
	if !c.jsonOut {
		notes = stdout
	}
	cfg, err := loadConfig(cfgPath, notes, config.WithLookupEnv(demoEnv))
	if err != nil {
		fmt.Fprintln(stderr, "beanswap demo:", err)
		return exitUsage
	}
	store, err := dockercfg.Load(dockercfg.WithConfigFile(dockerPath))
	if err != nil {
		fmt.Fprintln(stderr, "beanswap demo:", err)
		return exitFailed
	}
	clients := beanswap.NewClients(sim.Config())
	if _, err := s3.NewFromConfig(sim.Config()).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(cfg.DockerBucket)}); err != nil {
		fmt.Fprintln(stderr, "beanswap demo: create bucket:", err)
		return exitFailed
	}

	say := func(format string, args ...any) {
		if !c.jsonOut {
			fmt.Fprintf(stdout, format, args...)
		}
	}
	say("beanswap demo: Elastic Beanstalk simulator on %s, clock x%g (times below are simulated)\n", sim.URL, *scale)
	say("service %q from %s; registry credentials from %s\n", cfg.Name, cfgPath, dockerPath)
	for _, tag := range []string{"1.0.0", "1.1.0"} {
		image := cfg.DockerRepo + "/" + cfg.Name + ":" + tag
		say("\n=== beanswap deploy -image %s ===\n", image)
		out := newOutput(c, stdout, stderr, clk.Now())
		p := &beanswap.Pipeline{
			Config: cfg, Image: image, Clients: clients, Docker: store,
			HTTPClient: sim.HTTPClient(), Clock: clk,
			Observer: out.observer(), Logger: out.logger(),
		}
		report, err := p.Run(ctx)
		out.summary(report, err)
		if err != nil {
			return exitCode(ctx, err)
		}
		if body, err := get(ctx, sim, "http://"+report.LiveCNAME+"/version"); err == nil {
			say("  GET http://%s/version → %s", report.LiveCNAME, body)
		}
	}
	say("\n=== beanswap status ===\n")
	return printStatus(ctx, cfg, clients, clk, c.jsonOut, stdout, stderr)
}

func get(ctx context.Context, sim *beanstalktest.Server, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := sim.HTTPClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
