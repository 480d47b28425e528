package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/dockercfg"
)

func runDeploy(ctx context.Context, args []string, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	image := fs.String("image", "", "image to deploy (default docker_repo/name:TAG with -tag)")
	tag := fs.String("tag", "", "tag of docker_repo/name to deploy")
	dryRun := fs.Bool("dry-run", false, "print the plan and change nothing")
	dockerConfig := fs.String("docker-config", "", "Docker config.json to read credentials from (default as the docker CLI)")
	lockWait := fs.Duration("lock-wait", -1, "wait this long for another deploy's lock (default lock_wait from the configuration)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, clients, code := connect(ctx, "deploy", c, stderr)
	if cfg == nil {
		return code
	}
	if *lockWait >= 0 {
		cfg.LockWait = *lockWait
	}
	if *image == "" {
		if *tag == "" || cfg.DockerRepo == "" {
			fmt.Fprintln(stderr, "beanswap deploy: give -image, or -tag with docker_repo set in", c.configPath)
			return exitUsage
		}
		*image = cfg.DockerRepo + "/" + cfg.Name + ":" + *tag
	}
	var dockerOpts []dockercfg.Option
	if *dockerConfig != "" {
		dockerOpts = append(dockerOpts, dockercfg.WithConfigFile(*dockerConfig))
	}
	var store *dockercfg.Store
	if cfg.DockerAuthFormat != config.AuthFormatNone {
		var err error
		if store, err = dockercfg.Load(dockerOpts...); err != nil {
			fmt.Fprintln(stderr, "beanswap deploy:", err)
			return exitUsage
		}
	}
	out := newOutput(c, stdout, stderr, cl.clock.Now())
	p := &beanswap.Pipeline{
		Config:   cfg,
		Image:    *image,
		Clients:  clients,
		Docker:   store,
		Clock:    cl.clock,
		Observer: out.observer(),
		Logger:   out.logger(),
	}
	if *dryRun {
		plan, err := p.Plan(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "beanswap deploy -dry-run:", err)
			return exitCode(ctx, err)
		}
		if c.jsonOut {
			out.json.emit(map[string]any{"type": "plan", "plan": plan.String()})
		} else {
			fmt.Fprint(stdout, plan)
		}
		return exitOK
	}
	report, err := p.Run(ctx)
	out.summary(report, err)
	return exitCode(ctx, err)
}
