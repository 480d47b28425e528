package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
	"github.com/beanswap/beanswap/swap"
)

func runSwap(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("swap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	to := fs.String("to", "", "environment to make live (Ready and healthy)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *to == "" {
		fmt.Fprintln(stderr, "beanswap swap: -to ENVIRONMENT is required")
		return exitUsage
	}
	cfg, err := loadConfig(c.configPath, stderr, config.SkipSecrets())
	if err != nil {
		fmt.Fprintln(stderr, "beanswap swap:", err)
		return exitUsage
	}
	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap swap:", err)
		return exitUsage
	}
	clients := beanswap.NewClients(awsCfg)
	out := newOutput(c, stdout, stderr, clock.Real{}.Now())
	m := beanstalk.NewMonitor(clients.Beanstalk, beanstalk.MonitorOptions{})
	envs, err := m.Environments(ctx, cfg.Application)
	if err == nil {
		var records beanstalk.RecordsAPI
		if cfg.AWSZoneID != "" {
			records = clients.Route53
		}
		var live beanstalk.Live
		live, err = beanstalk.FindLive(ctx, envs, beanstalk.LiveSpec{CNAMEPrefix: cfg.CNAMEPrefix, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost}, records)
		switch {
		case err != nil:
		case live.Environment == nil:
			err = fmt.Errorf("no live environment to swap with (%s)", live.How)
		case live.Name() == *to:
			fmt.Fprintf(stdout, "%s is live already\n", *to)
			return exitOK
		default:
			var target = *to
			var version string
			if e, ferr := beanstalk.Newest(envs, target); ferr == nil && e.VersionLabel != nil {
				version = *e.VersionLabel
			}
			sw := &swap.Swapper{EB: clients.Beanstalk, Monitor: m, Observer: out.observer(), Logger: out.logger()}
			if cfg.AWSZoneID != "" {
				sw.Route53 = clients.Route53
			}
			var res *swap.Result
			res, err = sw.Swap(ctx, swap.Input{
				Application: cfg.Application, Candidate: target, Live: live.Name(), Version: version,
				Verify:  beanswap.AcceptanceFromConfig(cfg, beanswap.AcceptanceOptions{Observer: out.observer()}),
				Timeout: cfg.Timeouts.Swap, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost,
			})
			if err == nil {
				out.printf("\n%s is live on %s; %s kept\n", res.Live, res.LiveCNAME, res.Previous)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "beanswap swap:", err)
	}
	return exitCode(ctx, err)
}
