package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/clock"
	"github.com/beanswap/beanswap/config"
)

func runRollback(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rollback", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	to := fs.String("to", "", "environment to roll back to (default: the one live before the current one)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, err := loadConfig(c.configPath, stderr, config.SkipSecrets())
	if err != nil {
		fmt.Fprintln(stderr, "beanswap rollback:", err)
		return exitUsage
	}
	awsCfg, err := beanswap.LoadAWSConfig(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap rollback:", err)
		return exitUsage
	}
	out := newOutput(c, stdout, stderr, clock.Real{}.Now())
	rb := &beanswap.Rollback{Config: cfg, Clients: beanswap.NewClients(awsCfg), To: *to, Observer: out.observer(), Logger: out.logger()}
	res, err := rb.Run(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap rollback:", err)
		return exitCode(ctx, err)
	}
	if c.jsonOut {
		out.json.emit(map[string]any{"type": "result", "ok": true, "live": res.Live, "live_cname": res.LiveCNAME, "previous": res.Previous})
	} else {
		fmt.Fprintf(stdout, "\nrolled back: %s is live on %s; %s kept\n", res.Live, res.LiveCNAME, res.Previous)
	}
	return exitOK
}
