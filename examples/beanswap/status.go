package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/beanstalk"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
)

func runStatus(ctx context.Context, args []string, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, clients, code := connect(ctx, "status", c, stderr, config.SkipSecrets())
	if cfg == nil {
		return code
	}
	return printStatus(ctx, cfg, clients, cl.clock, c.jsonOut, stdout, stderr)
}

// printStatus lists the service's environments, the live one first.
func printStatus(ctx context.Context, cfg *config.Config, clients beanswap.Clients, clk clock.Clock, jsonOut bool, stdout, stderr io.Writer) int {
	m := beanstalk.NewMonitor(clients.Beanstalk, beanstalk.MonitorOptions{Clock: clk})
	var records beanstalk.RecordsAPI
	if cfg.AWSZoneID != "" {
		records = clients.Route53
	}
	inv, err := m.Inventory(ctx, clients.Beanstalk, cfg.Name, cfg.Application, beanstalk.LiveSpec{CNAMEPrefix: cfg.CNAMEPrefix, ZoneID: cfg.AWSZoneID, Host: cfg.LiveHost}, records)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap status:", err)
		return exitFailed
	}
	type row struct{ Role, Name, Status, Health, Version, CNAME string }
	var rows []row
	add := func(role string, ms ...beanstalk.Member) {
		for _, mem := range ms {
			e := mem.Environment
			rows = append(rows, row{role, mem.Name(), string(e.Status), string(e.Health), mem.Version, aws.ToString(e.CNAME)})
		}
	}
	if inv.Live != nil {
		add("LIVE", *inv.Live)
	}
	add("previous", inv.Previous...)
	add("candidate", inv.Candidates...)
	add("unmanaged", inv.Unmanaged...)
	live := struct{ How string }{inv.LiveHow}
	if jsonOut {
		newJSONRenderer(stdout).emit(map[string]any{"type": "status", "application": cfg.Application, "live_found_by": live.How, "environments": rows})
		return exitOK
	}
	fmt.Fprintf(stdout, "application %s: live environment found by %s\n", cfg.Application, live.How)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tENVIRONMENT\tSTATUS\tHEALTH\tVERSION\tCNAME")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Role, r.Name, r.Status, r.Health, r.Version, r.CNAME)
	}
	_ = tw.Flush()
	return exitOK
}
