// Command beanswap deploys a containerised service to AWS Elastic
// Beanstalk blue/green, from its pym-config.yaml:
//
//	beanswap deploy   [--config pym-config.yaml] (--image IMAGE | --tag TAG) [--dry-run] [--json]
//	beanswap status   [--config pym-config.yaml]
//	beanswap rollback [--config pym-config.yaml]
//	beanswap swap     [--config pym-config.yaml] --to ENVIRONMENT
//	beanswap prune    [--config pym-config.yaml] [--dry-run]
//
// Install it with
//
//	go install github.com/beanswap/beanswap/cmd/beanswap@latest
//
// Exit codes: 0 done, 1 failed with live traffic untouched, 2 bad
// arguments or configuration, 3 the new version went live, failed
// verification and was swapped back, 4 live traffic may be somewhere
// unexpected (look now), 130 interrupted.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/beanswap/beanswap/clock"
)

func main() {
	// Signals first: a deploy stuck reading a bad file must still stop.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], cli{stdout: os.Stdout, stderr: os.Stderr, clock: clock.Real{}}))
}

// cli is what every command runs with: where it writes, and the clock
// its waits and timestamps follow (the wall clock; a simulator's in tests).
type cli struct {
	stdout, stderr io.Writer
	clock          clock.Clock
}

// run runs one command line and returns its exit code.
func run(ctx context.Context, args []string, cl cli) int {
	root := newRoot(cl)
	root.SetArgs(normalizeArgs(root, args))
	root.SetOut(cl.stdout)
	root.SetErr(cl.stderr)
	err := root.ExecuteContext(ctx)
	if err != nil && !errors.As(err, new(runError)) {
		fmt.Fprintln(cl.stderr, "beanswap:", err)
	}
	return exitCode(ctx, err)
}
