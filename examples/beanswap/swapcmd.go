package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/config"
)

func runSwap(ctx context.Context, args []string, cl cli) int {
	fs := flag.NewFlagSet("swap", flag.ContinueOnError)
	fs.SetOutput(cl.stderr)
	var c common
	c.register(fs)
	to := fs.String("to", "", "environment to make live (Ready, Green, and passing the acceptance checks)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *to == "" {
		fmt.Fprintln(cl.stderr, "beanswap swap: -to ENVIRONMENT is required")
		return exitUsage
	}
	return runMakeLive(ctx, "swap", *to, c, cl)
}

func runRollback(ctx context.Context, args []string, cl cli) int {
	fs := flag.NewFlagSet("rollback", flag.ContinueOnError)
	fs.SetOutput(cl.stderr)
	var c common
	c.register(fs)
	to := fs.String("to", "", "environment to roll back to (default: the one live before the current one)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	return runMakeLive(ctx, "rollback", *to, c, cl)
}

// runMakeLive moves live traffic to an environment: the one given, or the
// previous one. Both commands check it first, verify the swap and undo it
// when verification fails, under the deploy lock.
func runMakeLive(ctx context.Context, command, to string, c common, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	cfg, clients, code := connect(ctx, command, c, stderr, config.SkipSecrets())
	if cfg == nil {
		return code
	}
	out := newOutput(c, stdout, stderr, cl.clock.Now())
	rb := &beanswap.Rollback{Config: cfg, Clients: clients, To: to, Clock: cl.clock, Observer: out.observer(), Logger: out.logger()}
	res, err := rb.Run(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap "+command+":", err)
		return exitCode(ctx, err)
	}
	if c.jsonOut {
		out.json.emit(map[string]any{"type": "result", "ok": true, "live": res.Live, "live_cname": res.LiveCNAME, "previous": res.Previous})
	} else {
		fmt.Fprintf(stdout, "\n%s is live on %s; %s kept\n", res.Live, res.LiveCNAME, res.Previous)
	}
	return exitOK
}
