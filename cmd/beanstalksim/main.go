// Command beanstalksim serves the Elastic Beanstalk simulator (with S3
// and STS on the same address) until interrupted, so that any SDK, CLI
// or tool can be tested against it:
//
//	go run ./cmd/beanstalksim -listen 127.0.0.1:4599 -scale 600
//	export AWS_ENDPOINT_URL=http://127.0.0.1:4599 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
//	export HTTP_PROXY=http://127.0.0.1:4599   # the environments' CNAMEs resolve nowhere: the simulator proxies them
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/beanswap/beanswap/beanstalktest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("beanstalksim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:4599", "address to serve on (loopback only is wise)")
	scale := fs.Float64("scale", 60, "simulated seconds per real second (60: a 5-minute launch takes 5 s)")
	noThrottle := fs.Bool("no-throttle", false, "turn off Describe* throttling (2 calls/s, burst 15)")
	seed := fs.Int64("seed", 1, "seed for identifiers and random faults")
	errorRate := fs.Float64("error-rate", 0, "share of Beanstalk requests answered with HTTP 5xx")
	slowRate := fs.Float64("slow-rate", 0, "share of Beanstalk requests answered late (see -slow-delay)")
	slowDelay := fs.Duration("slow-delay", 2*time.Second, "how late a slow answer comes, in real time")
	dropRate := fs.Float64("drop-rate", 0, "share of Beanstalk requests whose connection is dropped")
	verbose := fs.Bool("v", false, "log every Beanstalk request")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "beanstalksim: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	opts := beanstalktest.Options{
		Addr:   *listen,
		Clock:  beanstalktest.NewScaledClock(time.Time{}, *scale),
		Seed:   *seed,
		Faults: beanstalktest.Faults{DisableThrottling: *noThrottle, ErrorRate: *errorRate, SlowRate: *slowRate, SlowDelay: *slowDelay, DropRate: *dropRate},
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	sim, err := beanstalktest.NewServer(opts)
	if err != nil {
		fmt.Fprintln(stderr, "beanstalksim:", err)
		return 1
	}
	defer sim.Close()
	fmt.Fprintf(stdout, `Elastic Beanstalk simulator (with S3 and STS) on %[1]s, clock x%[2]g, region %[3]s, account %[4]s

Point any AWS SDK or CLI at it:
  export AWS_ENDPOINT_URL=%[1]s AWS_REGION=%[3]s AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
  (S3 clients: path-style addressing)

Environments answer on the same address, by Host header or as an HTTP proxy:
  curl -H 'Host: PREFIX.%[3]s.elasticbeanstalk.com' %[1]s/ping
  curl -x %[1]s http://PREFIX.%[3]s.elasticbeanstalk.com/version

Interrupt (Ctrl-C) to stop; state lives in memory only.
`, sim.URL, *scale, sim.Region(), sim.AccountID())
	<-ctx.Done()
	fmt.Fprintln(stdout, "simulator stopped")
	return 0
}
