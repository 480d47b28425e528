// Command beanswap is the example CLI embedding the beanswap library:
// blue/green deploys to Elastic Beanstalk, and the simulator to try them
// without an AWS account.
//
// Usage:
//
//	beanswap deploy [-config pym-config.yaml] -image IMAGE [-dry-run] [-json]
//	beanswap status [-config pym-config.yaml]
//	beanswap swap   [-config pym-config.yaml] -to ENVIRONMENT
//	beanswap rollback [-config pym-config.yaml] [-to ENVIRONMENT]
//	beanswap prune  [-config pym-config.yaml] [-dry-run]
//	beanswap demo   [-scale 120]
//	beanswap sim    [-listen 127.0.0.1:4599] [-scale 60]
//
// Run "beanswap help" for every command.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/beanswap/beanswap/clock"
)

type command struct {
	summary string
	run     func(ctx context.Context, args []string, cl cli) int
}

// cli is what every command runs with: where it writes, and the clock its
// waits and timestamps follow — the wall clock, or a simulator's in tests
// (which then run at the simulator's pace).
type cli struct {
	stdout, stderr io.Writer
	clock          clock.Clock
}

func commands() map[string]command {
	return map[string]command{
		"sim":      {"serve the Elastic Beanstalk simulator (with S3) until interrupted", runSim},
		"deploy":   {"deploy an image blue/green: new environment, acceptance, swap", runDeploy},
		"status":   {"show the service's environments: live, previous, others", runStatus},
		"swap":     {"make an environment live by swapping CNAMEs, verified", runSwap},
		"demo":     {"run two blue/green deploys against the built-in simulator", runDemo},
		"prune":    {"terminate old environments and delete old versions, by policy", runPrune},
		"rollback": {"swap live traffic back to the previous environment, verified", runRollback},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runCLI(ctx, args, cli{stdout: stdout, stderr: stderr, clock: clock.Real{}})
}

func runCLI(ctx context.Context, args []string, cl cli) int {
	stdout, stderr := cl.stdout, cl.stderr
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout, cmds)
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "beanswap: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return c.run(ctx, args[1:], cl)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: beanswap <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun beanswap <command> -h for its flags.")
}
