package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/beanswap/beanswap"
	"github.com/beanswap/beanswap/config"
)

func runPrune(ctx context.Context, args []string, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs)
	dryRun := fs.Bool("dry-run", false, "print what would be terminated and deleted, and change nothing")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	cfg, clients, code := connect(ctx, "prune", c, stderr, config.SkipSecrets())
	if cfg == nil {
		return code
	}
	out := newOutput(c, stdout, stderr, cl.clock.Now())
	p := &beanswap.Prune{Config: cfg, Clients: clients, Clock: cl.clock, Observer: out.observer(), Logger: out.logger()}
	if *dryRun {
		plan, err := p.Plan(ctx)
		if err != nil {
			fmt.Fprintln(stderr, "beanswap prune -dry-run:", err)
			return exitCode(ctx, err)
		}
		if c.jsonOut {
			out.json.emit(map[string]any{"type": "prune_plan", "terminate": plan.Terminate, "keep": plan.Keep, "delete_versions": plan.DeleteVersions})
		} else {
			fmt.Fprint(stdout, plan, "nothing was changed (dry run)\n")
		}
		return exitOK
	}
	plan, res, err := p.Run(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "beanswap prune:", err)
		return exitCode(ctx, err)
	}
	if c.jsonOut {
		out.json.emit(map[string]any{"type": "result", "ok": true, "terminated": res.Terminated, "deleted_versions": res.Deleted, "skipped": res.Skipped})
		return exitOK
	}
	fmt.Fprint(stdout, plan)
	fmt.Fprintf(stdout, "terminated %d environments, deleted %d versions", len(res.Terminated), len(res.Deleted))
	if len(res.Skipped) > 0 {
		fmt.Fprintf(stdout, ", skipped %d (see warnings)", len(res.Skipped))
	}
	fmt.Fprintln(stdout)
	return exitOK
}
